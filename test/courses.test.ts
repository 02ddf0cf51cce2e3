import { C, signUp, startTestServer, type ProtocolAnswer, type TestServer } from "./support/harness";
import { OTHER_APP, sql } from "./support/env";

/**
 * Courses over the app protocol: live.create, live.startcourse, live.exitroom,
 * live.roomlist, live.reportmemid and live.roomidlist (protocol.md §6.4–§6.10, the
 * "Our decisions" FIX rules, conformance examples 17–38).
 */

let t: TestServer;
/** teacher1, teacher2, student1, student2, student3 (registered in this order). */
let T: string;
let T2: string;
let S: string;
let S2: string;
let S3: string;

const OK = { errorCode: 0, errorInfo: "" };
const e10003 = (errorInfo: string) => ({ errorCode: 10003, errorInfo });
const ROOM_NOT_EXIST = { errorCode: 10100, errorInfo: "get room info failed" };
const IM_FAILED = { errorCode: 10103, errorInfo: "save info to imgroup failed." };
const IM_FAILURES = ["error", "errorCodeBesideOk", "down", "garbage"] as const;

const live = (cmd: string, token: string, fields: Record<string, unknown> = {}) => t.call("live", cmd, { ...C, token, ...fields });

/** A fresh server (empty stores) with the five standard users. */
async function freshServer(env: Record<string, string> = {}): Promise<void> {
  t = await startTestServer(env);
  T = await signUp(t, "teacher1", 1);
  T2 = await signUp(t, "teacher2", 1);
  S = await signUp(t, "student1", 0);
  S2 = await signUp(t, "student2", 0);
  S3 = await signUp(t, "student3", 0);
}

function expectOk(answer: ProtocolAnswer): void {
  if (answer.body.errorCode !== 0) throw new Error(`expected success, got ${answer.text}`);
}

async function createCourse(token = T, title = "math", cover?: string): Promise<number> {
  const answer = await live("create", token, cover === undefined ? { title } : { title, cover });
  expectOk(answer);
  return answer.body.data.roomnum as number;
}

async function startCourse(roomnum: number, token = T): Promise<void> {
  expectOk(await live("startcourse", token, { roomnum }));
}

async function endCourse(roomnum: number, token = T): Promise<void> {
  expectOk(await live("exitroom", token, { roomnum }));
}

async function enter(roomnum: number, token: string): Promise<void> {
  expectOk(await live("reportmemid", token, { roomnum, operate: 0 }));
}

async function leave(roomnum: number, token: string): Promise<void> {
  expectOk(await live("reportmemid", token, { roomnum, operate: 1 }));
}

interface CourseRow {
  roomnum: number;
  appid: number;
  hostUin: number;
  title: string;
  cover: string;
  state: number;
  createdAt: Date;
  startedAt: Date | null;
  effectiveAt: Date;
  startImSeq: number;
  endedAt: Date | null;
  endImSeq: number;
  endReason: string | null;
  replayIndexDueAt: Date | null;
}

async function courseRow(roomnum: number): Promise<CourseRow> {
  const rows = await sql<Record<string, unknown>>(`SELECT * FROM "Course" WHERE roomnum = $1`, [roomnum]);
  if (rows.length !== 1) throw new Error(`no course ${roomnum}`);
  return rows[0] as unknown as CourseRow;
}

interface MemberRow {
  id: number;
  uin: number;
  uid: string;
  role: number;
  joinedAt: Date;
  leftAt: Date | null;
  leaveReason: string | null;
}

async function memberRows(roomnum: number): Promise<MemberRow[]> {
  return sql<MemberRow & Record<string, unknown>>(
    `SELECT m.id, m.uin, a.uid, m.role, m."joinedAt", m."leftAt", m."leaveReason"
       FROM "ClassMember" m JOIN "Account" a ON a.uin = m.uin WHERE m.roomnum = $1 ORDER BY m.id`,
    [roomnum],
  );
}

const openMembers = async (roomnum: number) => (await memberRows(roomnum)).filter((m) => m.leftAt === null).map((m) => m.uid).sort();

async function countCourses(): Promise<number> {
  const [row] = await sql<{ n: string }>(`SELECT count(*) AS n FROM "Course"`);
  return Number(row!.n);
}

const markers = (roomnum: number, type: number) => t.im.messages.filter((m) => m.groupId === String(roomnum) && m.data.type === type);

async function memberList(roomnum: number, token = T, index = 0, size = 50): Promise<{ total: number; idlist: Array<{ id: string; role: number }> }> {
  const answer = await live("roomidlist", token, { roomnum, index, size });
  expectOk(answer);
  return answer.body.data;
}

async function roomList(fields: Record<string, unknown>, token = S): Promise<{ total: number; rooms: Array<Record<string, any>> }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- wire data
  const answer = await live("roomlist", token, { index: 0, size: 50, ...fields });
  expectOk(answer);
  return answer.body.data;
}

const roomnumsOf = (list: { rooms: Array<Record<string, unknown>> }) => list.rooms.map((r) => r.roomnum as number);

// ---------------------------------------------------------------------------------------

describe("live.create", () => {
  beforeAll(() => freshServer());
  afterAll(() => t.close());

  test("room numbers start at 10001 and increase; groupid is the room number as a string", async () => {
    expect((await live("create", T, { title: "数学/math", cover: "http://x.com/a.jpg" })).body).toEqual({
      ...OK,
      data: { roomnum: 10001, groupid: "10001" },
    });
    expect((await live("create", T2, { title: "second" })).body).toEqual({ ...OK, data: { roomnum: 10002, groupid: "10002" } });
    expect((await live("create", T, { title: "third" })).body.data).toEqual({ roomnum: 10003, groupid: "10003" });
  });

  test("stores the course: owner, app, title, cover, state created, creation time", async () => {
    const [teacher] = await sql<{ uin: number }>(`SELECT uin FROM "Account" WHERE uid = 'teacher1'`);
    const row = await courseRow(10001);
    expect(row).toMatchObject({
      appid: C.appid,
      hostUin: teacher!.uin,
      title: "数学/math",
      cover: "http://x.com/a.jpg",
      state: 0,
      startedAt: null,
      startImSeq: 0,
      endedAt: null,
      endImSeq: 0,
    });
    expect(Math.abs(row.createdAt.getTime() - Date.now())).toBeLessThan(60000);
    expect(row.effectiveAt.getTime()).toBe(row.createdAt.getTime());
    // No cover given: empty.
    expect((await courseRow(10002)).cover).toBe("");
    expect(await memberRows(10001)).toEqual([]);
  });

  test("a student cannot create a course (10101), nothing is written", async () => {
    const before = await countCourses();
    expect((await live("create", S, { title: "math" })).body).toEqual({ errorCode: 10101, errorInfo: "only teacher can create a course." });
    expect(await countCourses()).toBe(before);
  });

  test("the role is checked after validation", async () => {
    expect((await live("create", S, {})).body).toEqual(e10003("Lack of title"));
    expect((await live("create", S, { title: 5 })).body).toEqual(e10003(" Invalid title"));
  });

  test.each([
    [{}, "Lack of title"],
    [{ title: null }, "Lack of title"],
    [{ cover: "http://x/c.jpg" }, "Lack of title"],
    [{ title: 5 }, " Invalid title"],
    [{ title: ["math"] }, " Invalid title"],
    [{ title: { a: 1 } }, " Invalid title"],
    [{ title: true }, " Invalid title"],
    [{ title: "x".repeat(129) }, " Invalid title"],
    [{ title: "数".repeat(129) }, " Invalid title"],
    [{ title: "math", cover: 5 }, " Invalid cover"],
    [{ title: "math", cover: ["x"] }, " Invalid cover"],
    [{ title: "math", cover: false }, " Invalid cover"],
    [{ title: 5, cover: 5 }, " Invalid title"],
  ])("create %j → 10003 %j and no row", async (fields, text) => {
    const before = await countCourses();
    expect((await live("create", T, fields)).body).toEqual(e10003(text));
    expect(await countCourses()).toBe(before);
  });

  test("an over-long title (129 characters) writes no row", async () => {
    const title = "t".repeat(129);
    expect((await live("create", T, { title })).body).toEqual(e10003(" Invalid title"));
    expect(await sql(`SELECT 1 FROM "Course" WHERE title LIKE 'ttt%'`)).toHaveLength(0);
  });

  test("an empty title is accepted; 128 characters (any script) are accepted", async () => {
    const empty = await live("create", T, { title: "" });
    expect(empty.body.errorCode).toBe(0);
    expect((await courseRow(empty.body.data.roomnum)).title).toBe("");
    for (const title of ["y".repeat(128), "数".repeat(128)]) {
      const answer = await live("create", T, { title });
      expect(answer.body.errorCode).toBe(0);
      expect((await courseRow(answer.body.data.roomnum)).title).toBe(title);
    }
  });

  test("every call creates a new course, numbers keep increasing", async () => {
    const a = await createCourse();
    const b = await createCourse();
    expect(b).toBe(a + 1);
    expect(a).toBeGreaterThan(10003);
  });
});

// ---------------------------------------------------------------------------------------

describe("live.startcourse", () => {
  beforeAll(() => freshServer());
  afterAll(() => t.close());

  test.each([
    [{}, "Lack of roomnum"],
    [{ roomnum: null }, "Lack of roomnum"],
    [{ roomnum: "10001abc" }, " Invalid roomnum"],
    [{ roomnum: "abc" }, " Invalid roomnum"],
    [{ roomnum: " 10001" }, " Invalid roomnum"],
    [{ roomnum: "1e3" }, " Invalid roomnum"],
    [{ roomnum: 1.5 }, " Invalid roomnum"],
    [{ roomnum: 10001.5 }, " Invalid roomnum"],
    [{ roomnum: [1] }, " Invalid roomnum"],
    [{ roomnum: { n: 1 } }, " Invalid roomnum"],
    [{ roomnum: true }, " Invalid roomnum"],
  ])("startcourse %j → 10003 %j", async (fields, text) => {
    expect((await live("startcourse", T, fields)).body).toEqual(e10003(text));
    expect(t.im.messages.filter((m) => m.data.type === 1001)).toHaveLength(0);
  });

  test("an unknown room → 10100", async () => {
    expect((await live("startcourse", T, { roomnum: 99999 })).body).toEqual(ROOM_NOT_EXIST);
  });

  test("a course of another app → 10100", async () => {
    const otherTeacher = await signUp(t, "teacher1", 1, OTHER_APP);
    const created = await t.call("live", "create", { appid: OTHER_APP.sdkAppId, timeStamp: 1, token: otherTeacher, title: "other" });
    expectOk(created);
    const room = created.body.data.roomnum as number;
    expect((await live("startcourse", T, { roomnum: room })).body).toEqual(ROOM_NOT_EXIST);
    expect((await courseRow(room)).state).toBe(0);
  });

  test("a student or another teacher cannot start it (10101); the course stays created", async () => {
    const room = await createCourse();
    const denied = { errorCode: 10101, errorInfo: " only the teacher who created the course can start it." };
    expect((await live("startcourse", S, { roomnum: room })).body).toEqual(denied);
    expect((await live("startcourse", T2, { roomnum: room })).body).toEqual(denied);
    expect(await courseRow(room)).toMatchObject({ state: 0, startImSeq: 0, startedAt: null });
    expect(await memberRows(room)).toEqual([]);
    expect(markers(room, 1001)).toHaveLength(0);
  });

  test("starts: the 1001 marker carries the request timeStamp and {uid}; startImSeq is its MsgSeq", async () => {
    const room = await createCourse();
    const before = Date.now();
    expect((await live("startcourse", T, { roomnum: room, timeStamp: 777 })).body).toEqual(OK);
    const sent = markers(room, 1001);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data).toMatchObject({ type: 1001, timestamp: 777 });
    expect(sent[0]!.data.value).toEqual({ uid: "teacher1" });
    expect(t.im.rejected).toEqual([]);

    const row = await courseRow(room);
    expect(row.state).toBe(1);
    expect(row.startImSeq).toBe(sent[0]!.msgSeq);
    expect(row.startedAt).not.toBeNull();
    expect(row.startedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(row.effectiveAt.getTime()).toBe(row.startedAt!.getTime());
    expect(row.endedAt).toBeNull();

    const members = await memberRows(room);
    expect(members).toHaveLength(1);
    expect(members[0]).toMatchObject({ uid: "teacher1", role: 1, leftAt: null });
    expect(await memberList(room)).toEqual({ total: 1, idlist: [{ id: "teacher1", role: 1 }] });
  });

  test('a numeric-string roomnum ("10001") is accepted (FIX lenient types)', async () => {
    const room = await createCourse();
    expect((await live("startcourse", T, { roomnum: String(room) })).body).toEqual(OK);
    expect((await courseRow(room)).state).toBe(1);
    expect(markers(room, 1001)).toHaveLength(1);
  });

  test("a second start → 10102 and no second marker; an ended course cannot be restarted", async () => {
    const room = await createCourse();
    await startCourse(room);
    const startedRow = await courseRow(room);
    const again = await live("startcourse", T, { roomnum: room });
    expect(again.body).toEqual({ errorCode: 10102, errorInfo: " only state=created room can start a course" });
    expect(markers(room, 1001)).toHaveLength(1);
    expect((await courseRow(room)).startImSeq).toBe(startedRow.startImSeq);

    await endCourse(room);
    expect((await live("startcourse", T, { roomnum: room })).body).toEqual({ errorCode: 10102, errorInfo: " only state=created room can start a course" });
    expect((await courseRow(room)).state).toBe(2);
    expect(markers(room, 1001)).toHaveLength(1);
  });

  test.each(IM_FAILURES)("IM %s → 10103, the course is unchanged, a retry with IM ok succeeds", async (mode) => {
    const room = await createCourse();
    t.im.mode = mode;
    try {
      expect((await live("startcourse", T, { roomnum: room })).body).toEqual(IM_FAILED);
    } finally {
      t.im.mode = "ok";
    }
    expect(await courseRow(room)).toMatchObject({ state: 0, startImSeq: 0, startedAt: null });
    expect(await memberRows(room)).toEqual([]);
    expect(markers(room, 1001)).toHaveLength(0);
    expect((await live("reportmemid", S, { roomnum: room, operate: 0 })).body.errorCode).toBe(10102);

    expect((await live("startcourse", T, { roomnum: room, timeStamp: 4242 })).body).toEqual(OK);
    const sent = markers(room, 1001);
    expect(sent).toHaveLength(1);
    // Refused by IM ("error", or a non-zero ErrorCode beside "OK"): nothing was posted, the retry
    // is a new message. An unknown outcome (dropped or garbled answer): it may have been posted,
    // so the retry posts the same message (same Random), which IM keeps once.
    expect(sent[0]!.data.timestamp).toBe(mode === "error" || mode === "errorCodeBesideOk" ? 4242 : C.timeStamp);
    const row = await courseRow(room);
    expect(row.state).toBe(1);
    expect(row.startImSeq).toBe(sent[0]!.msgSeq);
    expect((await memberRows(room)).map((m) => m.uid)).toEqual(["teacher1"]);
  });
});

// ---------------------------------------------------------------------------------------

describe("live.exitroom", () => {
  beforeAll(() => freshServer());
  afterAll(() => t.close());

  test.each([
    [{}, "Lack of roomnum"],
    [{ roomnum: null }, "Lack of roomnum"],
    [{ roomnum: 0 }, "Invalid roomnum"],
    [{ roomnum: "0" }, "Invalid roomnum"],
    [{ roomnum: -1 }, "Invalid roomnum"],
    [{ roomnum: "10001abc" }, "Invalid roomnum"],
    [{ roomnum: "abc" }, "Invalid roomnum"],
    [{ roomnum: 1.5 }, "Invalid roomnum"],
    [{ roomnum: [1] }, "Invalid roomnum"],
    [{ roomnum: true }, "Invalid roomnum"],
  ])("exitroom %j → 10003 %j", async (fields, text) => {
    expect((await live("exitroom", T, fields)).body).toEqual(e10003(text));
  });

  test("an unknown room → 10100", async () => {
    expect((await live("exitroom", T, { roomnum: 99999 })).body).toEqual(ROOM_NOT_EXIST);
  });

  test("a student or another teacher cannot end the class (10101); it stays living", async () => {
    const room = await createCourse();
    await startCourse(room);
    const denied = { errorCode: 10101, errorInfo: "only the teacher can end the course." };
    expect((await live("exitroom", S, { roomnum: room })).body).toEqual(denied);
    expect((await live("exitroom", T2, { roomnum: room })).body).toEqual(denied);
    expect((await courseRow(room)).state).toBe(1);
    expect(markers(room, 1002)).toHaveLength(0);
  });

  test("a course not living → 10102 (created, and ended twice)", async () => {
    const room = await createCourse();
    const notLiving = { errorCode: 10102, errorInfo: "only state=living room can exit" };
    expect((await live("exitroom", T, { roomnum: room })).body).toEqual(notLiving);
    expect((await courseRow(room)).state).toBe(0);
    await startCourse(room);
    await endCourse(room);
    const ended = await courseRow(room);
    expect((await live("exitroom", T, { roomnum: room })).body).toEqual(notLiving);
    expect(markers(room, 1002)).toHaveLength(1);
    const after = await courseRow(room);
    expect(after.endImSeq).toBe(ended.endImSeq);
    expect(after.endedAt!.getTime()).toBe(ended.endedAt!.getTime());
  });

  test.each(IM_FAILURES)("IM %s → 10103; the class stays living with its members", async (mode) => {
    const room = await createCourse();
    await startCourse(room);
    await enter(room, S);
    await enter(room, S2);
    t.im.mode = mode;
    try {
      expect((await live("exitroom", T, { roomnum: room })).body).toEqual(IM_FAILED);
    } finally {
      t.im.mode = "ok";
    }
    expect(await courseRow(room)).toMatchObject({ state: 1, endedAt: null, endImSeq: 0, endReason: null, replayIndexDueAt: null });
    expect(await openMembers(room)).toEqual(["student1", "student2", "teacher1"]);
    expect((await memberList(room)).total).toBe(3);
    const listed = await roomList({ roomnum: room });
    expect(listed.rooms[0]).toMatchObject({ state: 1, memsize: 3, end_time: 0, end_imseq: 0 });
    expect(markers(room, 1002)).toHaveLength(0);
    // The members can still act in the class.
    await leave(room, S2);
    // And a retry succeeds.
    expect((await live("exitroom", T, { roomnum: room })).body).toEqual(OK);
    expect(markers(room, 1002)).toHaveLength(1);
    expect((await courseRow(room)).state).toBe(2);
  });

  test("ends the class: state 2, end time, endImSeq = MsgSeq of the 1002 marker, reason, replay due, members out", async () => {
    const room = await createCourse();
    await startCourse(room);
    await enter(room, S);
    await enter(room, S2);
    await enter(room, S3);
    await leave(room, S3);
    const before = Date.now();
    expect((await live("exitroom", T, { roomnum: String(room), timeStamp: 888 })).body).toEqual(OK);

    const sent = markers(room, 1002);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data).toMatchObject({ type: 1002, timestamp: 888 });
    expect(sent[0]!.data.value).toEqual({ uid: "teacher1" });
    expect(t.im.rejected).toEqual([]);

    const row = await courseRow(room);
    expect(row.state).toBe(2);
    expect(row.endImSeq).toBe(sent[0]!.msgSeq);
    expect(row.endImSeq).toBeGreaterThan(row.startImSeq);
    expect(row.endReason).toBe("teacher");
    expect(row.endedAt).not.toBeNull();
    expect(row.endedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(row.replayIndexDueAt!.getTime() - row.endedAt!.getTime()).toBe(300 * 1000);

    const members = await memberRows(room);
    expect(members).toHaveLength(4);
    expect(members.every((m) => m.leftAt !== null)).toBe(true);
    const reasons = Object.fromEntries(members.map((m) => [m.uid, m.leaveReason]));
    expect(reasons).toEqual({ teacher1: "class_ended", student1: "class_ended", student2: "class_ended", student3: "left" });

    expect(await memberList(room)).toEqual({ total: 0, idlist: [] });
    const listed = await roomList({ roomnum: room });
    expect(listed.rooms[0]).toMatchObject({ state: 2, memsize: 0, end_imseq: row.endImSeq, end_time: Math.floor(row.endedAt!.getTime() / 1000) });
    // Nobody enters an ended class.
    expect((await live("reportmemid", S, { roomnum: room, operate: 0 })).body.errorCode).toBe(10102);
  });
});

describe("live.exitroom with REPLAY_INDEX_DELAY_S=60", () => {
  beforeAll(() => freshServer({ REPLAY_INDEX_DELAY_S: "60" }));
  afterAll(() => t.close());

  test("the replay index is due REPLAY_INDEX_DELAY_S after the end", async () => {
    const room = await createCourse();
    await startCourse(room);
    await endCourse(room);
    const row = await courseRow(room);
    expect(row.state).toBe(2);
    expect(row.replayIndexDueAt!.getTime() - row.endedAt!.getTime()).toBe(60 * 1000);
  });
});

// ---------------------------------------------------------------------------------------

const ROOM_KEYS = [
  "host_uid",
  "title",
  "roomnum",
  "state",
  "groupid",
  "cover",
  "begin_time",
  "end_time",
  "begin_imseq",
  "end_imseq",
  "playback_idx_url",
  "can_trigger_replay_idx",
  "trigger_replay_idx_time",
  "trigger_replay_idx_result",
  "replay_idx_created_time",
  "replay_idx_created_result",
  "replay_idx_url",
  "memsize",
  // Ours, after the original's: the replay index's progress, the last recording's IM seq, the videos.
  "replay_idx_status",
  "replay_idx_attempts",
  "replay_idx_error",
  "last_rec_imseq",
  "videos",
  "recording",
  "live_urls",
];

/** Sets a course's creation time and, if started, its start time (Unix seconds); the effective time follows. */
async function setTimes(roomnum: number, createdS: number, startedS?: number): Promise<void> {
  if (startedS === undefined) {
    await sql(`UPDATE "Course" SET "createdAt" = to_timestamp($2), "effectiveAt" = to_timestamp($2) WHERE roomnum = $1`, [roomnum, createdS]);
  } else {
    await sql(`UPDATE "Course" SET "createdAt" = to_timestamp($2), "startedAt" = to_timestamp($3), "effectiveAt" = to_timestamp($3) WHERE roomnum = $1`, [
      roomnum,
      createdS,
      startedS,
    ]);
  }
}

describe("live.roomlist", () => {
  // A created (1000000), B living (created 1000100, started 1000500), C ended (created 1000200,
  // started 1000300), D replayable (created 1000050, started 1000400), E created (1000500),
  // X of another app (created 1000450). Effective order: B, E (tie, by roomnum), D, C, A.
  let A: number;
  let B: number;
  let Cr: number;
  let D: number;
  let E: number;
  let X: number;
  let otherToken: string; // teacher1 of OTHER_APP
  let all: number[];

  beforeAll(async () => {
    await freshServer();
    A = await createCourse(T, "A");
    B = await createCourse(T, "B", "http://x/b.jpg");
    await startCourse(B);
    await enter(B, S);
    await enter(B, S2);
    await leave(B, S2);
    Cr = await createCourse(T2, "C");
    await startCourse(Cr, T2);
    await enter(Cr, S3);
    await endCourse(Cr, T2);
    D = await createCourse(T2, "D");
    await startCourse(D, T2);
    await endCourse(D, T2);
    E = await createCourse(T, "E");
    otherToken = await signUp(t, "teacher1", 1, OTHER_APP);
    const created = await t.call("live", "create", { appid: OTHER_APP.sdkAppId, timeStamp: 1, token: otherToken, title: "X" });
    expectOk(created);
    X = created.body.data.roomnum as number;

    await setTimes(A, 1000000);
    await setTimes(B, 1000100, 1000500);
    await setTimes(Cr, 1000200, 1000300);
    await setTimes(D, 1000050, 1000400);
    await setTimes(E, 1000500);
    await setTimes(X, 1000450);
    await sql(
      `UPDATE "Course" SET state = 3, "replayIndexUrl" = 'http://idx/d.json', "replayIndexCreatedAt" = to_timestamp(1000900),
              "replayIndexCreatedResult" = 0 WHERE roomnum = $1`,
      [D],
    );
    all = [B, E, D, Cr, A];
  });
  afterAll(() => t.close());

  test.each([
    [{ size: 1 }, "Lack of page index"],
    [{ index: null, size: 1 }, "Lack of page index"],
    [{ index: -1, size: 1 }, "Page index should be a non-negative integer"],
    [{ index: 1.5, size: 1 }, "Page index should be a non-negative integer"],
    [{ index: "x", size: 1 }, "Page index should be a non-negative integer"],
    [{ index: [0], size: 1 }, "Page index should be a non-negative integer"],
    [{ index: 0 }, "Lack of page size"],
    [{ index: 0, size: null }, "Lack of page size"],
    [{ index: 0, size: 51 }, "Page size should be a positive integer(not larger than 50)"],
    [{ index: 0, size: "51" }, "Page size should be a positive integer(not larger than 50)"],
    [{ index: 0, size: -1 }, "Page size should be a positive integer(not larger than 50)"],
    [{ index: 0, size: 1.5 }, "Page size should be a positive integer(not larger than 50)"],
    [{ index: 0, size: "x" }, "Page size should be a positive integer(not larger than 50)"],
    [{ index: 0, size: 1, roomnum: "10001abc" }, "roomnum invalid"],
    [{ index: 0, size: 1, roomnum: "abc" }, "roomnum invalid"],
    [{ index: 0, size: 1, roomnum: 1.5 }, "roomnum invalid"],
    [{ index: 0, size: 1, roomnum: [1] }, "roomnum invalid"],
    [{ index: 0, size: 1, from_time: "x" }, "from_time invalid"],
    [{ index: 0, size: 1, from_time: 1.5 }, "from_time invalid"],
    [{ index: 0, size: 1, from_time: [1] }, "from_time invalid"],
    [{ index: 0, size: 1, from_time: "1e3" }, "from_time invalid"],
    [{ index: 0, size: 1, to_time: "x" }, "to_time invalid"],
    [{ index: 0, size: 1, to_time: 1.5 }, "to_time invalid"],
    [{ index: 0, size: 1, to_time: {} }, "to_time invalid"],
    [{ index: 0, size: 1, from_time: 5, to_time: 4 }, "from_time must less than to_time"],
    [{ index: 0, size: 1, from_time: "5", to_time: "4" }, "from_time must less than to_time"],
    [{ index: 0, size: 1, host_uid: 5 }, "host_uid invalid"],
    [{ index: 0, size: 1, host_uid: ["teacher1"] }, "host_uid invalid"],
    [{ index: 0, size: 1, host_uid: true }, "host_uid invalid"],
    [{ index: 0, size: 1, state: 4 }, "state invalid"],
    [{ index: 0, size: 1, state: -1 }, "state invalid"],
    [{ index: 0, size: 1, state: "x" }, "state invalid"],
    [{ index: 0, size: 1, state: "4" }, "state invalid"],
    [{ index: 0, size: 1, state: 1.5 }, "state invalid"],
    [{ index: 0, size: 1, state: [1] }, "state invalid"],
    // The first failing check wins, in the original's order.
    [{ index: -1, size: 51 }, "Page index should be a non-negative integer"],
    [{ index: 0, size: 51, roomnum: "x" }, "Page size should be a positive integer(not larger than 50)"],
    [{ index: 0, size: 1, roomnum: "x", from_time: "x" }, "roomnum invalid"],
    [{ index: 0, size: 1, from_time: "x", to_time: "x" }, "from_time invalid"],
    [{ index: 0, size: 1, from_time: 5, to_time: 4, host_uid: 5 }, "from_time must less than to_time"],
    [{ index: 0, size: 1, host_uid: 5, state: 4 }, "host_uid invalid"],
  ])("roomlist %j → 10003 %j", async (fields, text) => {
    const answer = await t.call("live", "roomlist", { ...C, token: S, ...fields });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(e10003(text));
  });

  test("lists every course of the app, newest effective time first, ties by ascending roomnum", async () => {
    const list = await roomList({});
    expect(list.total).toBe(5);
    expect(roomnumsOf(list)).toEqual(all);
    expect(roomnumsOf(list)).not.toContain(X);
    // Teachers and students see the same list.
    expect(roomnumsOf(await roomList({}, T2))).toEqual(all);
  });

  test("each room carries the union of the document's and the code's fields, then ours", async () => {
    const list = await roomList({});
    for (const room of list.rooms) expect(Object.keys(room)).toEqual(ROOM_KEYS);
  });

  test("room values: living, ended, replayable and created courses", async () => {
    const rows = new Map<number, CourseRow>();
    for (const n of all) rows.set(n, await courseRow(n));
    const byNum = new Map((await roomList({})).rooms.map((r) => [r.roomnum as number, r]));
    const common = {
      trigger_replay_idx_time: 0,
      trigger_replay_idx_result: 0,
      can_trigger_replay_idx: 0,
      replay_idx_status: "",
      replay_idx_attempts: 0,
      replay_idx_error: "",
      last_rec_imseq: 0,
      videos: [],
      recording: 0,
      live_urls: [],
    };
    expect(byNum.get(B)).toEqual({
      ...common,
      host_uid: "teacher1",
      title: "B",
      roomnum: B,
      state: 1,
      groupid: String(B),
      cover: "http://x/b.jpg",
      begin_time: 1000500,
      end_time: 0,
      begin_imseq: rows.get(B)!.startImSeq,
      end_imseq: 0,
      playback_idx_url: "",
      replay_idx_created_time: 0,
      replay_idx_created_result: 0,
      replay_idx_url: "",
      memsize: 2,
    });
    expect(rows.get(B)!.startImSeq).toBeGreaterThan(0);
    expect(byNum.get(Cr)).toEqual({
      ...common,
      host_uid: "teacher2",
      title: "C",
      roomnum: Cr,
      state: 2,
      groupid: String(Cr),
      cover: "",
      begin_time: 1000300,
      end_time: Math.floor(rows.get(Cr)!.endedAt!.getTime() / 1000),
      begin_imseq: rows.get(Cr)!.startImSeq,
      end_imseq: rows.get(Cr)!.endImSeq,
      playback_idx_url: "",
      replay_idx_created_time: 0,
      replay_idx_created_result: 0,
      replay_idx_url: "",
      memsize: 0,
      replay_idx_status: "waiting",
    });
    expect(rows.get(Cr)!.endImSeq).toBeGreaterThan(rows.get(Cr)!.startImSeq);
    expect(byNum.get(D)).toMatchObject({
      host_uid: "teacher2",
      state: 3,
      begin_time: 1000400,
      playback_idx_url: "http://idx/d.json",
      replay_idx_url: "http://idx/d.json",
      replay_idx_created_time: 1000900,
      replay_idx_created_result: 0,
      memsize: 0,
    });
    expect(byNum.get(A)).toEqual({
      ...common,
      host_uid: "teacher1",
      title: "A",
      roomnum: A,
      state: 0,
      groupid: String(A),
      cover: "",
      begin_time: 0,
      end_time: 0,
      begin_imseq: 0,
      end_imseq: 0,
      playback_idx_url: "",
      replay_idx_created_time: 0,
      replay_idx_created_result: 0,
      replay_idx_url: "",
      memsize: 0,
    });
  });

  test("memsize counts present members only", async () => {
    const before = (await roomList({ roomnum: B })).rooms[0]!.memsize;
    expect(before).toBe(2);
    await enter(B, S3);
    expect((await roomList({ roomnum: B })).rooms[0]!.memsize).toBe(3);
    await leave(B, S3);
    await leave(B, S);
    expect((await roomList({ roomnum: B })).rooms[0]!.memsize).toBe(1);
    await enter(B, S);
    expect((await roomList({ roomnum: B })).rooms[0]!.memsize).toBe(2);
  });

  test("paging: pages, an index past the end and size 0 keep the total", async () => {
    expect(roomnumsOf(await roomList({ index: 0, size: 2 }))).toEqual([B, E]);
    expect(roomnumsOf(await roomList({ index: 2, size: 2 }))).toEqual([D, Cr]);
    expect(await roomList({ index: 4, size: 2 }).then(roomnumsOf)).toEqual([A]);
    expect(roomnumsOf(await roomList({ index: 1, size: 1 }))).toEqual([E]);
    expect(await roomList({ index: 5, size: 2 })).toEqual({ total: 5, rooms: [] });
    expect(await roomList({ index: 1000, size: 50 })).toEqual({ total: 5, rooms: [] });
    expect((await live("roomlist", S, { index: 0, size: 0 })).body).toEqual({ ...OK, data: { total: 5, rooms: [] } });
    expect(await roomList({ index: 3, size: 0 })).toEqual({ total: 5, rooms: [] });
    // Numeric strings are integers (FIX).
    expect(roomnumsOf(await roomList({ index: "1", size: "2" }))).toEqual([E, D]);
    expect(roomnumsOf(await roomList({ index: 0, size: 50 }))).toEqual(all);
  });

  test.each([
    [0, "A,E"],
    [1, "B"],
    [2, "C"],
    [3, "D"],
    ["3", "D"],
  ])("state %j alone", async (state, expected) => {
    const list = await roomList({ state });
    const names = { A: () => A, B: () => B, C: () => Cr, D: () => D, E: () => E } as Record<string, () => number>;
    const want = expected.split(",").map((k) => names[k]!());
    expect(list.total).toBe(want.length);
    expect(list.rooms.map((r) => r.roomnum).sort()).toEqual([...want].sort());
    // Ordered newest effective first.
    if (state === 0) expect(roomnumsOf(list)).toEqual([E, A]);
    for (const room of list.rooms) expect(room.state).toBe(Number(state));
  });

  test("host_uid alone: that teacher's courses; empty means everyone; unknown or case-mismatched → 10005", async () => {
    expect(roomnumsOf(await roomList({ host_uid: "teacher1" }))).toEqual([B, E, A]);
    expect((await roomList({ host_uid: "teacher1" })).total).toBe(3);
    expect(roomnumsOf(await roomList({ host_uid: "teacher2" }))).toEqual([D, Cr]);
    expect(roomnumsOf(await roomList({ host_uid: "" }))).toEqual(all);
    expect(await roomList({ host_uid: "student1" })).toEqual({ total: 0, rooms: [] });
    const unknown = { errorCode: 10005, errorInfo: "check host_uid failed,msg:User not exist" };
    expect((await live("roomlist", S, { index: 0, size: 10, host_uid: "nobody" })).body).toEqual(unknown);
    expect((await live("roomlist", S, { index: 0, size: 10, host_uid: "TEACHER1" })).body).toEqual(unknown);
  });

  test("roomnum alone; another app's room and unknown rooms are never listed", async () => {
    expect(await roomList({ roomnum: B }).then((l) => [l.total, roomnumsOf(l)])).toEqual([1, [B]]);
    expect(roomnumsOf(await roomList({ roomnum: String(Cr) }))).toEqual([Cr]);
    expect(await roomList({ roomnum: X })).toEqual({ total: 0, rooms: [] });
    expect(await roomList({ roomnum: 99999 })).toEqual({ total: 0, rooms: [] });
    // 0 means no filter, as in the original.
    expect(roomnumsOf(await roomList({ roomnum: 0 }))).toEqual(all);
  });

  test("from_time is exclusive, to_time inclusive, on the effective time (start if started, else creation)", async () => {
    expect(roomnumsOf(await roomList({ from_time: 1000400 }))).toEqual([B, E]);
    expect(roomnumsOf(await roomList({ from_time: 1000399 }))).toEqual([B, E, D]);
    expect(roomnumsOf(await roomList({ to_time: 1000400 }))).toEqual([D, Cr, A]);
    expect(roomnumsOf(await roomList({ to_time: 1000399 }))).toEqual([Cr, A]);
    expect(roomnumsOf(await roomList({ from_time: 1000000, to_time: 1000400 }))).toEqual([D, Cr]);
    expect(roomnumsOf(await roomList({ from_time: 999999, to_time: 1000000 }))).toEqual([A]);
    expect(roomnumsOf(await roomList({ from_time: 1000499, to_time: 1000500 }))).toEqual([B, E]);
    // B15: B was created at 1000100 but started at 1000500; E never started (created 1000500).
    expect(roomnumsOf(await roomList({ to_time: 1000200 }))).toEqual([A]);
    expect(roomnumsOf(await roomList({ from_time: 1000100 }))).toEqual([B, E, D, Cr]);
    // Equal bounds are allowed (nothing matches); 0 means no bound.
    expect(await roomList({ from_time: 1000300, to_time: 1000300 })).toEqual({ total: 0, rooms: [] });
    expect(roomnumsOf(await roomList({ from_time: 0, to_time: 0 }))).toEqual(all);
    expect(roomnumsOf(await roomList({ from_time: 1000400, to_time: 0 }))).toEqual([B, E]);
    expect(roomnumsOf(await roomList({ from_time: "1000400" }))).toEqual([B, E]);
    // The other app's course (1000450) stays out of every window.
    expect(roomnumsOf(await roomList({ from_time: 1000449, to_time: 1000451 }))).toEqual([]);
    expect((await roomList({ from_time: 1000400 })).total).toBe(2);
  });

  test("filters combine", async () => {
    expect(roomnumsOf(await roomList({ host_uid: "teacher1", state: 0 }))).toEqual([E, A]);
    expect(roomnumsOf(await roomList({ host_uid: "teacher2", state: 2 }))).toEqual([Cr]);
    expect(roomnumsOf(await roomList({ host_uid: "teacher2", from_time: 1000300 }))).toEqual([D]);
    expect(roomnumsOf(await roomList({ host_uid: "teacher1", to_time: 1000499 }))).toEqual([A]);
    expect(roomnumsOf(await roomList({ host_uid: "teacher1", state: 0, from_time: 1000000, to_time: 1000500 }))).toEqual([E]);
    expect(roomnumsOf(await roomList({ state: 1, roomnum: B, host_uid: "teacher1", from_time: 1000499, to_time: 1000500 }))).toEqual([B]);
    expect(await roomList({ state: 1, roomnum: A })).toEqual({ total: 0, rooms: [] });
    expect(await roomList({ host_uid: "teacher2", roomnum: B })).toEqual({ total: 0, rooms: [] });
    expect(await roomList({ state: 3, to_time: 1000399 })).toEqual({ total: 0, rooms: [] });
    // The total counts the filtered set, not the page.
    const page = await roomList({ state: 0, index: 0, size: 1 });
    expect(page.total).toBe(2);
    expect(roomnumsOf(page)).toEqual([E]);
    expect(roomnumsOf(await roomList({ state: 0, index: 1, size: 1 }))).toEqual([A]);
  });

  test("the other app's user sees only the other app's course", async () => {
    const answer = await t.call("live", "roomlist", { appid: OTHER_APP.sdkAppId, timeStamp: 1, token: otherToken, index: 0, size: 50 });
    expect(answer.body.errorCode).toBe(0);
    expect(answer.body.data.total).toBe(1);
    expect(answer.body.data.rooms.map((r: { roomnum: number }) => r.roomnum)).toEqual([X]);
  });

  describe("times are whole seconds, as the list reports them", () => {
    beforeAll(async () => {
      // B started at 1000500.600: the list reports begin_time 1000500.
      await sql(`UPDATE "Course" SET "startedAt" = to_timestamp(1000500.6), "effectiveAt" = to_timestamp(1000500.6) WHERE roomnum = $1`, [B]);
    });

    test("to_time equal to the reported time includes the course (inclusive)", async () => {
      expect((await roomList({ roomnum: B })).rooms[0]!.begin_time).toBe(1000500);
      expect(roomnumsOf(await roomList({ roomnum: B, to_time: 1000500 }))).toEqual([B]);
    });

    test("from_time equal to the reported time excludes the course (exclusive)", async () => {
      expect((await roomList({ roomnum: B })).rooms[0]!.begin_time).toBe(1000500);
      expect(roomnumsOf(await roomList({ roomnum: B, from_time: 1000500 }))).toEqual([]);
    });

    test("courses whose times fall in the same second tie, ordered by ascending roomnum", async () => {
      // Times are stored to the whole second (below): E (a larger roomnum than B) in B's second.
      await sql(`UPDATE "Course" SET "startedAt" = to_timestamp(1000500), "effectiveAt" = to_timestamp(1000500) WHERE roomnum = $1`, [B]);
      await sql(`UPDATE "Course" SET "createdAt" = to_timestamp(1000500), "effectiveAt" = to_timestamp(1000500) WHERE roomnum = $1`, [E]);
      expect(roomnumsOf(await roomList({ host_uid: "teacher1" }))).toEqual([B, E, A]);
    });

    test("courses created and started through the API store whole seconds", async () => {
      const room = await createCourse();
      await startCourse(room);
      const [row] = await sql<{ ms: string }>(
        `SELECT (extract(milliseconds FROM "createdAt")::int % 1000 + extract(milliseconds FROM "startedAt")::int % 1000 + extract(milliseconds FROM "effectiveAt")::int % 1000)::text AS ms FROM "Course" WHERE roomnum = $1`,
        [room],
      );
      expect(row!.ms).toBe("0");
    });
  });
});

// ---------------------------------------------------------------------------------------

describe("live.reportmemid", () => {
  let room: number;
  beforeAll(async () => {
    await freshServer();
    room = await createCourse();
    await startCourse(room);
  });
  afterAll(() => t.close());

  test.each([
    [{ operate: 0 }, "Lack of roomnum"],
    [{ roomnum: null, operate: 0 }, "Lack of roomnum"],
    [{ roomnum: "10001abc", operate: 0 }, " Invalid roomnum"],
    [{ roomnum: "abc", operate: 0 }, " Invalid roomnum"],
    [{ roomnum: 10001.5, operate: 0 }, " Invalid roomnum"],
    [{ roomnum: 1.5, operate: 0 }, " Invalid roomnum"],
    [{ roomnum: [1], operate: 0 }, " Invalid roomnum"],
    [{ roomnum: true, operate: 0 }, " Invalid roomnum"],
    [{ roomnum: 10001 }, "Lack of operate"],
    [{ roomnum: 10001, operate: null }, "Lack of operate"],
    [{ roomnum: 10001, operate: 2 }, " Invalid operate"],
    [{ roomnum: 10001, operate: -1 }, " Invalid operate"],
    [{ roomnum: 10001, operate: "x" }, " Invalid operate"],
    [{ roomnum: 10001, operate: "2" }, " Invalid operate"],
    [{ roomnum: 10001, operate: 0.5 }, " Invalid operate"],
    [{ roomnum: 10001, operate: [0] }, " Invalid operate"],
    [{ roomnum: "x", operate: 2 }, " Invalid roomnum"],
  ])("reportmemid %j → 10003 %j", async (fields, text) => {
    expect((await live("reportmemid", S3, fields)).body).toEqual(e10003(text));
    expect((await memberRows(10001)).map((m) => m.uid)).not.toContain("student3");
  });

  test("a course not living → 10102 (text with its slash); unknown room → 10100", async () => {
    const created = await createCourse();
    for (const operate of [0, 1]) {
      const answer = await live("reportmemid", S, { roomnum: created, operate });
      expect(answer.body).toEqual({ errorCode: 10102, errorInfo: "can only enter/exit a state=living room" });
      expect(answer.text).toMatch(/"errorInfo":"can only enter(\/|\\\/)exit a state=living room"/);
    }
    expect(await memberRows(created)).toEqual([]);
    expect(markers(created, 1003)).toHaveLength(0);
    expect((await live("reportmemid", S, { roomnum: 99999, operate: 0 })).body).toEqual(ROOM_NOT_EXIST);
    expect((await live("reportmemid", S, { roomnum: 99999, operate: 1 })).body).toEqual(ROOM_NOT_EXIST);
  });

  test("an ended course → 10102", async () => {
    const ended = await createCourse();
    await startCourse(ended);
    await enter(ended, S);
    await endCourse(ended);
    expect((await live("reportmemid", S, { roomnum: ended, operate: 0 })).body.errorCode).toBe(10102);
    expect((await live("reportmemid", S, { roomnum: ended, operate: 1 })).body.errorCode).toBe(10102);
    expect(await openMembers(ended)).toEqual([]);
  });

  test("leaving a room never entered → 10107", async () => {
    expect((await live("reportmemid", S2, { roomnum: room, operate: 1 })).body).toEqual({ errorCode: 10107, errorInfo: "can not repeat exit a room." });
    expect((await memberRows(room)).map((m) => m.uid)).not.toContain("student2");
  });

  test("enter sends IM 1003 {uid} with the request timeStamp and opens one stay", async () => {
    const before = markers(room, 1003).length;
    expect((await live("reportmemid", S, { roomnum: String(room), operate: 0, timeStamp: 31337 })).body).toEqual(OK);
    const sent = markers(room, 1003).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data).toMatchObject({ type: 1003, timestamp: 31337 });
    expect(sent[0]!.data.value).toEqual({ uid: "student1" });
    expect(t.im.rejected).toEqual([]);
    const rows = (await memberRows(room)).filter((m) => m.uid === "student1");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ role: 0, leftAt: null, leaveReason: null });
    expect(await memberList(room)).toEqual({ total: 2, idlist: [{ id: "teacher1", role: 1 }, { id: "student1", role: 0 }] });
  });

  test("repeated enters answer 0 and keep a single open stay", async () => {
    expect((await live("reportmemid", S, { roomnum: room, operate: 0 })).body).toEqual(OK);
    expect((await live("reportmemid", S, { roomnum: room, operate: "0" })).body).toEqual(OK);
    const rows = (await memberRows(room)).filter((m) => m.uid === "student1");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.leftAt).toBeNull();
    expect((await memberList(room)).total).toBe(2);
  });

  test("leave closes the stay; repeated leave answers 0; no IM message on leave", async () => {
    const messages = t.im.messages.length;
    expect((await live("reportmemid", S, { roomnum: room, operate: 1 })).body).toEqual(OK);
    expect((await live("reportmemid", S, { roomnum: room, operate: "1" })).body).toEqual(OK);
    expect(t.im.messages.length).toBe(messages);
    const rows = (await memberRows(room)).filter((m) => m.uid === "student1");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.leftAt).not.toBeNull();
    expect(rows[0]!.leaveReason).toBe("left");
    expect(await memberList(room)).toEqual({ total: 1, idlist: [{ id: "teacher1", role: 1 }] });
    // Entering again opens a new stay; the old one stays as history.
    await enter(room, S);
    const again = (await memberRows(room)).filter((m) => m.uid === "student1");
    expect(again).toHaveLength(2);
    expect(again.filter((m) => m.leftAt === null)).toHaveLength(1);
  });

  test.each(IM_FAILURES)("IM %s on enter → 10103 and no stay is opened", async (mode) => {
    const before = markers(room, 1003).length;
    t.im.mode = mode;
    try {
      expect((await live("reportmemid", S3, { roomnum: room, operate: 0 })).body).toEqual(IM_FAILED);
    } finally {
      t.im.mode = "ok";
    }
    expect(markers(room, 1003).length).toBe(before);
    expect((await memberRows(room)).map((m) => m.uid)).not.toContain("student3");
    expect((await memberList(room)).idlist.map((m) => m.id)).not.toContain("student3");
    // Never entered: leaving is still 10107.
    expect((await live("reportmemid", S3, { roomnum: room, operate: 1 })).body.errorCode).toBe(10107);
  });

  test("B13: the teacher leaving through reportmemid never blocks students", async () => {
    const r = await createCourse();
    await startCourse(r);
    // The teacher leaves an otherwise empty room.
    expect((await live("reportmemid", T, { roomnum: r, operate: 1 })).body).toEqual(OK);
    expect(await openMembers(r)).toEqual([]);
    expect((await live("reportmemid", S, { roomnum: r, operate: 0 })).body).toEqual(OK);
    expect((await live("reportmemid", S2, { roomnum: r, operate: 0 })).body).toEqual(OK);
    expect((await live("reportmemid", S, { roomnum: r, operate: 1 })).body).toEqual(OK);
    expect((await live("reportmemid", S2, { roomnum: r, operate: 1 })).body).toEqual(OK);
    // Still nobody in the room: entering and leaving keep working, the teacher included.
    expect((await live("reportmemid", S2, { roomnum: r, operate: 0 })).body).toEqual(OK);
    expect((await live("reportmemid", T, { roomnum: r, operate: 0 })).body).toEqual(OK);
    expect(await openMembers(r)).toEqual(["student2", "teacher1"]);
    expect((await courseRow(r)).state).toBe(1);
  });

  test("a room of another app → 10100", async () => {
    const other = { appid: OTHER_APP.sdkAppId, timeStamp: 1, token: await signUp(t, "teacher1", 1, OTHER_APP) };
    const created = await t.call("live", "create", { ...other, title: "X" });
    const x = created.body.data.roomnum as number;
    expectOk(await t.call("live", "startcourse", { ...other, roomnum: x }));
    expect((await live("reportmemid", S, { roomnum: x, operate: 0 })).body).toEqual(ROOM_NOT_EXIST);
    expect((await memberRows(x)).map((m) => m.uid)).toEqual(["teacher1"]);
  });
});

// ---------------------------------------------------------------------------------------

describe("live.roomidlist", () => {
  let room: number;
  beforeAll(async () => {
    t = await startTestServer();
    T = await signUp(t, "teacher1", 1);
    T2 = await signUp(t, "teacher2", 1);
    // Registered in this order: uin order differs from the alphabetical order of ids.
    S = await signUp(t, "zeta", 0);
    S2 = await signUp(t, "alpha", 0);
    S3 = await signUp(t, "mike", 0);
    room = await createCourse();
    await startCourse(room);
    // Entered in another order than uin order.
    await enter(room, S3);
    await enter(room, S2);
    await enter(room, S);
  });
  afterAll(() => t.close());

  test.each([
    [{ index: 0, size: 10 }, "Lack of roomnum"],
    [{ roomnum: null, index: 0, size: 10 }, "Lack of roomnum"],
    [{ roomnum: "10001abc", index: 0, size: 10 }, " Invalid roomnum"],
    [{ roomnum: "abc", index: 0, size: 10 }, " Invalid roomnum"],
    [{ roomnum: 1.5, index: 0, size: 10 }, " Invalid roomnum"],
    [{ roomnum: [1], index: 0, size: 10 }, " Invalid roomnum"],
    [{ roomnum: 10001, size: 10 }, "Lack of page index"],
    [{ roomnum: 10001, index: -1, size: 10 }, "Page index should be a non-negative integer"],
    [{ roomnum: 10001, index: 1.5, size: 10 }, "Page index should be a non-negative integer"],
    [{ roomnum: 10001, index: "x", size: 10 }, "Page index should be a non-negative integer"],
    [{ roomnum: 10001, index: 0 }, "Lack of page size"],
    [{ roomnum: 10001, index: 0, size: 51 }, "Page size should be a positive integer(not larger than 50)"],
    [{ roomnum: 10001, index: 0, size: -1 }, "Page size should be a positive integer(not larger than 50)"],
    [{ roomnum: 10001, index: 0, size: "5x" }, "Page size should be a positive integer(not larger than 50)"],
    [{ roomnum: "x", index: -1, size: 51 }, " Invalid roomnum"],
    [{ roomnum: 10001, index: -1, size: 51 }, "Page index should be a non-negative integer"],
  ])("roomidlist %j → 10003 %j", async (fields, text) => {
    expect((await live("roomidlist", T, fields)).body).toEqual(e10003(text));
  });

  test("{total, idlist:[{id, role}]} in ascending account number", async () => {
    const answer = await live("roomidlist", S2, { roomnum: room, index: 0, size: 10 });
    expect(answer.body).toEqual({
      ...OK,
      data: {
        total: 4,
        idlist: [
          { id: "teacher1", role: 1 },
          { id: "zeta", role: 0 },
          { id: "alpha", role: 0 },
          { id: "mike", role: 0 },
        ],
      },
    });
    expect(Object.keys(answer.body.data)).toEqual(["total", "idlist"]);
  });

  test("paging", async () => {
    expect(await memberList(room, T, 0, 2)).toEqual({ total: 4, idlist: [{ id: "teacher1", role: 1 }, { id: "zeta", role: 0 }] });
    expect(await memberList(room, T, 2, 2)).toEqual({ total: 4, idlist: [{ id: "alpha", role: 0 }, { id: "mike", role: 0 }] });
    expect(await memberList(room, T, 1, 1)).toEqual({ total: 4, idlist: [{ id: "zeta", role: 0 }] });
    expect(await memberList(room, T, 3, 50)).toEqual({ total: 4, idlist: [{ id: "mike", role: 0 }] });
    expect(await memberList(room, T, 4, 10)).toEqual({ total: 4, idlist: [] });
    expect(await memberList(room, T, 0, 0)).toEqual({ total: 4, idlist: [] });
    const strings = await live("roomidlist", T, { roomnum: String(room), index: "1", size: "1" });
    expect(strings.body.data).toEqual({ total: 4, idlist: [{ id: "zeta", role: 0 }] });
  });

  test("an unknown room, room 0 or a room of another app → 10100 (not {total:0})", async () => {
    const unknown = { errorCode: 10100, errorInfo: "get room info failed" };
    expect((await live("roomidlist", T2, { roomnum: 424242, index: 0, size: 10 })).body).toEqual(unknown);
    expect((await live("roomidlist", S, { roomnum: 424242, index: 0, size: 10 })).body).toEqual(unknown);
    expect((await live("roomidlist", S, { roomnum: 0, index: 0, size: 10 })).body).toEqual(unknown);
    const otherTeacher = await signUp(t, "idlist-other-app", 1, OTHER_APP);
    const otherRoom = (await t.call("live", "create", { appid: OTHER_APP.sdkAppId, timeStamp: 1, token: otherTeacher, title: "x" })).body.data.roomnum;
    expect((await live("roomidlist", S, { roomnum: otherRoom, index: 0, size: 10 })).body).toEqual(unknown);
  });

  test("neither the teacher nor a member (present or past) → 10101", async () => {
    const outsider = await signUp(t, "outsider", 0);
    const a = await live("roomidlist", outsider, { roomnum: room, index: 0, size: 10 });
    expect(a.body.errorCode).toBe(10101);
    expect(a.body.data).toBeUndefined();
    const b = await live("roomidlist", T2, { roomnum: room, index: 0, size: 10 });
    expect(b.body.errorCode).toBe(10101);
    expect(b.body.data).toBeUndefined();
    // A created course: only its teacher may list it.
    const created = await createCourse(T2);
    expect((await live("roomidlist", S, { roomnum: created, index: 0, size: 10 })).body.errorCode).toBe(10101);
    expect((await live("roomidlist", T2, { roomnum: created, index: 0, size: 10 })).body).toEqual({ ...OK, data: { total: 0, idlist: [] } });
    // An enter that failed in IM does not make a member.
    t.im.mode = "error";
    try {
      expect((await live("reportmemid", outsider, { roomnum: room, operate: 0 })).body.errorCode).toBe(10103);
    } finally {
      t.im.mode = "ok";
    }
    expect((await live("roomidlist", outsider, { roomnum: room, index: 0, size: 10 })).body.errorCode).toBe(10101);
  });

  test("a past member may still list; the list shows present members only", async () => {
    await leave(room, S);
    expect(await memberList(room, S)).toEqual({
      total: 3,
      idlist: [
        { id: "teacher1", role: 1 },
        { id: "alpha", role: 0 },
        { id: "mike", role: 0 },
      ],
    });
    await endCourse(room);
    expect(await memberList(room, S)).toEqual({ total: 0, idlist: [] });
    expect(await memberList(room, S3)).toEqual({ total: 0, idlist: [] });
    expect(await memberList(room, T)).toEqual({ total: 0, idlist: [] });
  });
});
