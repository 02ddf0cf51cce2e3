import { C, signUp, startTestServer, type ProtocolAnswer, type TestServer } from "./support/harness";
import { createHash } from "node:crypto";
import { sql } from "./support/env";

/**
 * Concurrent requests on one class (FIX B23): every state change is atomic, of two
 * concurrent start/exit one wins and the other gets 10102, and IM markers agree with
 * the database.
 */

let t: TestServer;
let T: string;
const students: string[] = [];

beforeAll(async () => {
  t = await startTestServer();
  T = await signUp(t, "teacher1", 1);
  for (let i = 0; i < 20; i++) students.push(await signUp(t, `student${String(i).padStart(2, "0")}`, 0));
});
afterAll(() => t.close());

const live = (cmd: string, token: string, fields: Record<string, unknown> = {}) => t.call("live", cmd, { ...C, token, ...fields });

function expectOk(answer: ProtocolAnswer): void {
  if (answer.body.errorCode !== 0) throw new Error(`expected success, got ${answer.text}`);
}

async function createCourse(): Promise<number> {
  const answer = await live("create", T, { title: "race" });
  expectOk(answer);
  return answer.body.data.roomnum as number;
}

const markers = (roomnum: number, type: number) => t.im.messages.filter((m) => m.groupId === String(roomnum) && m.data.type === type);

async function openRows(roomnum: number): Promise<Array<{ uin: number }>> {
  return sql<{ uin: number }>(`SELECT uin FROM "ClassMember" WHERE roomnum = $1 AND "leftAt" IS NULL ORDER BY uin`, [roomnum]);
}

const codesOf = (answers: ProtocolAnswer[]) => answers.map((a) => a.body.errorCode).sort((a, b) => a - b);

test("20 students join one living class at once: all succeed and all are present", async () => {
  const room = await createCourse();
  expectOk(await live("startcourse", T, { roomnum: room }));
  const answers = await Promise.all(students.map((token) => live("reportmemid", token, { roomnum: room, operate: 0 })));
  for (const answer of answers) expect(answer.body).toEqual({ errorCode: 0, errorInfo: "" });

  const rows = await openRows(room);
  expect(rows).toHaveLength(21);
  expect(new Set(rows.map((r) => r.uin)).size).toBe(21);
  expect(markers(room, 1003)).toHaveLength(20);
  expect(t.im.rejected).toEqual([]);

  const list = await live("roomidlist", T, { roomnum: room, index: 0, size: 50 });
  expect(list.body.data.total).toBe(21);
  expect(list.body.data.idlist).toHaveLength(21);
  expect(list.body.data.idlist[0]).toEqual({ id: "teacher1", role: 1 });
  expect(list.body.data.idlist.slice(1).map((m: { id: string }) => m.id)).toEqual(Array.from({ length: 20 }, (_, i) => `student${String(i).padStart(2, "0")}`));

  const rooms = await live("roomlist", T, { index: 0, size: 10, roomnum: room });
  expect(rooms.body.data.rooms[0].memsize).toBe(21);
});

test("two concurrent startcourse: exactly one 0 and one 10102, exactly one 1001 marker", async () => {
  const room = await createCourse();
  t.im.delayMs = 150; // widen the window between the state check and the write
  let answers: ProtocolAnswer[];
  try {
    answers = await Promise.all([live("startcourse", T, { roomnum: room }), live("startcourse", T, { roomnum: room })]);
  } finally {
    t.im.delayMs = 0;
  }
  expect(codesOf(answers)).toEqual([0, 10102]);
  expect(answers.find((a) => a.body.errorCode === 10102)!.body.errorInfo).toBe(" only state=created room can start a course");
  const sent = markers(room, 1001);
  expect(sent).toHaveLength(1);
  const [course] = await sql<{ state: number; startImSeq: number }>(`SELECT state, "startImSeq" FROM "Course" WHERE roomnum = $1`, [room]);
  expect(course).toEqual({ state: 1, startImSeq: sent[0]!.msgSeq });
  expect(await openRows(room)).toHaveLength(1);
});

test("two concurrent exitroom: exactly one 0 and one 10102, exactly one 1002 marker", async () => {
  const room = await createCourse();
  expectOk(await live("startcourse", T, { roomnum: room }));
  expectOk(await live("reportmemid", students[0]!, { roomnum: room, operate: 0 }));
  t.im.delayMs = 150;
  let answers: ProtocolAnswer[];
  try {
    answers = await Promise.all([live("exitroom", T, { roomnum: room }), live("exitroom", T, { roomnum: room })]);
  } finally {
    t.im.delayMs = 0;
  }
  expect(codesOf(answers)).toEqual([0, 10102]);
  expect(answers.find((a) => a.body.errorCode === 10102)!.body.errorInfo).toBe("only state=living room can exit");
  const sent = markers(room, 1002);
  expect(sent).toHaveLength(1);
  const [course] = await sql<{ state: number; endImSeq: number }>(`SELECT state, "endImSeq" FROM "Course" WHERE roomnum = $1`, [room]);
  expect(course).toEqual({ state: 2, endImSeq: sent[0]!.msgSeq });
  expect(await openRows(room)).toEqual([]);
});

/**
 * The interleaving the lock alone cannot stop: a second start (or end) whose policy loaded the
 * course before the first one's write, and that takes the lock after the first released it.
 * Driven on the service with the course as that second request saw it (no timing can force it
 * through HTTP): the state is read again under the lock, so it posts no second marker.
 */
describe("a change that checked a state which another change has since moved on", () => {
  const teacherOf = async () => {
    const [row] = await sql<{ uin: number }>(`SELECT uin FROM "Account" WHERE uid = 'teacher1' AND appid = $1`, [C.appid]);
    return { uin: row!.uin, uid: "teacher1", role: 1 as const, appid: C.appid };
  };
  const app = () => t.server.config.sdkApps.get(C.appid)!;

  test("a start: 10102, and still one 1001 marker", async () => {
    const room = await createCourse();
    const seenBefore = await t.server.services.courses.get(app(), room);
    expectOk(await live("startcourse", T, { roomnum: room }));
    await expect(t.server.services.lifecycle.start(app(), await teacherOf(), seenBefore, C.timeStamp)).rejects.toMatchObject({
      code: 10102,
      info: " only state=created room can start a course",
    });
    expect(markers(room, 1001)).toHaveLength(1);
  });

  test("an end: 10102, and still one 1002 marker", async () => {
    const room = await createCourse();
    expectOk(await live("startcourse", T, { roomnum: room }));
    const seenBefore = await t.server.services.courses.get(app(), room);
    expectOk(await live("exitroom", T, { roomnum: room }));
    await expect(t.server.services.lifecycle.end(app(), await teacherOf(), seenBefore, C.timeStamp)).rejects.toMatchObject({
      code: 10102,
      info: "only state=living room can exit",
    });
    expect(markers(room, 1002)).toHaveLength(1);
  });
});

test("five concurrent enters of the same student: all 0 and exactly one open stay", async () => {
  const room = await createCourse();
  expectOk(await live("startcourse", T, { roomnum: room }));
  const student = students[1]!;
  const answers = await Promise.all(Array.from({ length: 5 }, () => live("reportmemid", student, { roomnum: room, operate: 0 })));
  for (const answer of answers) expect(answer.body).toEqual({ errorCode: 0, errorInfo: "" });
  const [account] = await sql<{ uin: number }>(`SELECT uin FROM "Account" WHERE uid = 'student01'`);
  const rows = await sql<{ id: number }>(`SELECT id FROM "ClassMember" WHERE roomnum = $1 AND uin = $2 AND "leftAt" IS NULL`, [room, account!.uin]);
  expect(rows).toHaveLength(1);
  const list = await live("roomidlist", T, { roomnum: room, index: 0, size: 50 });
  expect(list.body.data).toEqual({ total: 2, idlist: [{ id: "teacher1", role: 1 }, { id: "student01", role: 0 }] });
  const rooms = await live("roomlist", T, { index: 0, size: 10, roomnum: room });
  expect(rooms.body.data.rooms[0].memsize).toBe(2);
});

test("50 simultaneous logins of one user: every one answers 0 with a token, and exactly one session survives", async () => {
  await t.call("account", "regist", { ...C, id: "many-logins", pwd: "cA==", role: 0 });
  const answers = await Promise.all(Array.from({ length: 50 }, () => t.call("account", "login", { ...C, id: "many-logins", pwd: "cA==" })));
  for (const answer of answers) expect(answer.body.errorCode).toBe(0);
  const tokens = answers.map((a) => a.body.data.token as string);
  expect(new Set(tokens).size).toBe(50);
  const probes = await Promise.all(tokens.map((token) => t.call("live", "roomlist", { ...C, token, index: 0, size: 1 })));
  const valid = tokens.filter((_, i) => probes[i]!.body.errorCode === 0);
  expect(valid).toHaveLength(1);
  for (const probe of probes.filter((p) => p.body.errorCode !== 0)) expect(probe.body).toEqual({ errorCode: 10009, errorInfo: "Token expired" });
  // The survivor is the one PostgreSQL holds, and Redis caches no other.
  const [row] = await sql<{ tokenHash: string; uin: number }>(`SELECT "tokenHash", uin FROM "Account" WHERE uid = 'many-logins'`);
  expect(createHash("sha256").update(valid[0]!).digest("hex")).toBe(row!.tokenHash);
  const cached: string[] = [];
  for (const key of await t.server.redis.keys("session:*")) if ((await t.server.redis.hget(key, "uin")) === String(row!.uin)) cached.push(key);
  expect(cached).toEqual([`session:${row!.tokenHash}`]);
});

test("one time rule: every instant stored is a whole second, and no stay ends before it began", async () => {
  const room = await createCourse();
  expectOk(await live("startcourse", T, { roomnum: room }));
  await Promise.all(students.slice(0, 5).map((token) => live("reportmemid", token, { roomnum: room, operate: 0 })));
  await live("reportmemid", students[0]!, { roomnum: room, operate: 1 });
  await live("reportbind", T, { roomnum: room, operate: 0, bind_file: { type: 0, file_name: "t", url: "http://t" } });
  expectOk(await live("exitroom", T, { roomnum: room }));
  const columns = await sql<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND data_type LIKE 'timestamp%' AND table_name <> '_prisma_migrations'`,
  );
  expect(columns.length).toBeGreaterThanOrEqual(10);
  for (const { table_name, column_name } of columns) {
    const fractional = await sql(`SELECT 1 FROM "${table_name}" WHERE "${column_name}" <> date_trunc('second', "${column_name}")`);
    expect({ column: `${table_name}.${column_name}`, fractional: fractional.length }).toEqual({ column: `${table_name}.${column_name}`, fractional: 0 });
  }
  expect(await sql(`SELECT 1 FROM "ClassMember" WHERE "leftAt" < "joinedAt"`)).toEqual([]);
});

test("enters racing exitroom: no 1003 marker after the 1002, and none for an enter that did not happen", async () => {
  const room = await createCourse();
  expectOk(await live("startcourse", T, { roomnum: room }));
  const redis = t.server.redis;
  const until = async (what: string, check: () => Promise<boolean>) => {
    for (const giveUpAt = Date.now() + 10000; !(await check()); await new Promise((r) => setTimeout(r, 5))) {
      if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    }
  };
  t.im.delayMs = 1000; // every IM call takes a while: enters and the end overlap (long enough that a busy machine still sees the end hold the course)
  let early: ProtocolAnswer[];
  let late: ProtocolAnswer[];
  let end: ProtocolAnswer;
  try {
    // Half the class is entering (their markers on the way) when the teacher ends the class…
    const entering = students.slice(0, 10).map((token) => live("reportmemid", token, { roomnum: room, operate: 0 }));
    await until("enters in flight", async () => (await redis.zcard(`{course:${room}}:entering`)) > 0);
    const ending = live("exitroom", T, { roomnum: room });
    await until("the end to hold the course", async () => (await redis.exists(`{course:${room}}:lock`)) === 1);
    // …and the other half tries while it ends.
    late = await Promise.all(students.slice(10).map((token) => live("reportmemid", token, { roomnum: room, operate: 0 })));
    [end, ...early] = await Promise.all([ending, ...entering]);
  } finally {
    t.im.delayMs = 0;
  }
  expect(end.body).toEqual({ errorCode: 0, errorInfo: "" });
  const refused = { errorCode: 10102, errorInfo: "can only enter/exit a state=living room" };
  for (const answer of late) expect(answer.body).toEqual(refused);
  for (const answer of early.filter((a) => a.body.errorCode !== 0)) expect(answer.body).toEqual(refused);
  const entered = early.filter((a) => a.body.errorCode === 0).length;
  expect(entered).toBeGreaterThan(0);
  const group = t.im.messages.filter((m) => m.groupId === String(room));
  const endAt = group.findIndex((m) => m.data.type === 1002);
  expect(group.slice(endAt + 1)).toEqual([]);
  expect(group.filter((m) => m.data.type === 1003)).toHaveLength(entered);
  const stays = await sql<{ n: string }>(`SELECT count(*) AS n FROM "ClassMember" WHERE roomnum = $1 AND role = 0`, [room]);
  expect(Number(stays[0]!.n)).toBe(entered);
});
