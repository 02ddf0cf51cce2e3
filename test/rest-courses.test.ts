import { signUp, startTestServer, type RestAnswer, type TestServer } from "./support/harness";
import { OTHER_APP, TEST_APP, sql } from "./support/env";

/**
 * Courses, members and bindings through the REST door under /api/v1: the same rules as
 * the app protocol, HTTP statuses, and every error body exactly {errorCode, errorInfo}.
 */

let t: TestServer;
let T: string; // rc-teacher
let T2: string; // rc-teacher2 (another teacher)
let S: string; // rc-student
let S2: string; // rc-student2
let S3: string; // rc-outsider (never a member of anything)
let O: string; // a user of another app
beforeAll(async () => {
  t = await startTestServer();
  T = await signUp(t, "rc-teacher", 1);
  T2 = await signUp(t, "rc-teacher2", 1);
  S = await signUp(t, "rc-student", 0);
  S2 = await signUp(t, "rc-student2", 0);
  S3 = await signUp(t, "rc-outsider", 0);
  O = await signUp(t, "rc-other-app", 1, OTHER_APP);
});
afterAll(() => t.close());
afterEach(() => {
  t.im.mode = "ok";
});

const APPID = TEST_APP.sdkAppId;

function expectError(answer: RestAnswer, status: number, errorCode: number, errorInfo: string): void {
  expect({ status: answer.status, body: answer.body }).toEqual({ status, body: { errorCode, errorInfo } });
}

async function uinOf(uid: string): Promise<number> {
  const [row] = await sql<{ uin: number }>(`SELECT uin FROM "Account" WHERE uid = $1`, [uid]);
  if (!row) throw new Error(`no account ${uid}`);
  return row.uin;
}

async function createCourse(token = T, body: Record<string, unknown> = { title: "course" }): Promise<number> {
  const answer = await t.rest("POST", "/courses", { token, body });
  expect(answer.status).toBe(201);
  return answer.body.roomnum as number;
}

async function startCourse(roomnum: number, token = T): Promise<void> {
  const answer = await t.rest("POST", `/courses/${roomnum}/start`, { token });
  expect(answer.status).toBe(200);
}

async function livingCourse(token = T): Promise<number> {
  const roomnum = await createCourse(token);
  await startCourse(roomnum, token);
  return roomnum;
}

interface CourseRow {
  state: number;
  startedAt: Date | null;
  startImSeq: number;
  endedAt: Date | null;
  endImSeq: number;
}
async function courseRow(roomnum: number): Promise<CourseRow> {
  const [row] = await sql<CourseRow & Record<string, unknown>>(
    `SELECT state, "startedAt", "startImSeq", "endedAt", "endImSeq" FROM "Course" WHERE roomnum = $1`,
    [roomnum],
  );
  if (!row) throw new Error(`no course ${roomnum}`);
  return row;
}

const countCourses = async (where = "TRUE", params: unknown[] = []) =>
  Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM "Course" WHERE appid = ${APPID} AND (${where})`, params))[0]!.n);

const unix = (d: Date | null) => (d ? Math.floor(d.getTime() / 1000) : 0);

const ROOM_KEYS = [
  "begin_imseq",
  "begin_time",
  "can_trigger_replay_idx",
  "cover",
  "end_imseq",
  "end_time",
  "groupid",
  "host_uid",
  "last_rec_imseq",
  "live_urls",
  "memsize",
  "playback_idx_url",
  "recording",
  "replay_idx_attempts",
  "replay_idx_created_result",
  "replay_idx_created_time",
  "replay_idx_error",
  "replay_idx_status",
  "replay_idx_url",
  "roomnum",
  "state",
  "title",
  "trigger_replay_idx_result",
  "trigger_replay_idx_time",
  "videos",
];

describe("POST /courses", () => {
  test("a teacher creates a course: 201 {roomnum, groupid} and the row is stored", async () => {
    const answer = await t.rest("POST", "/courses", { token: T, body: { title: "数学/math", cover: "http://x.com/a.jpg" } });
    expect(answer.status).toBe(201);
    expect(Object.keys(answer.body).sort()).toEqual(["groupid", "roomnum"]);
    const roomnum = answer.body.roomnum as number;
    expect(Number.isInteger(roomnum)).toBe(true);
    expect(roomnum).toBeGreaterThanOrEqual(10001);
    expect(answer.body.groupid).toBe(String(roomnum));
    const rows = await sql(`SELECT appid, "hostUin", title, cover, state, "startedAt" FROM "Course" WHERE roomnum = $1`, [roomnum]);
    expect(rows).toEqual([{ appid: APPID, hostUin: await uinOf("rc-teacher"), title: "数学/math", cover: "http://x.com/a.jpg", state: 0, startedAt: null }]);
  });

  test("room numbers increase; an empty title is allowed; cover defaults to empty", async () => {
    const first = await createCourse(T, { title: "" });
    const second = await createCourse(T, { title: "b" });
    expect(second).toBeGreaterThan(first);
    const rows = await sql(`SELECT title, cover FROM "Course" WHERE roomnum = $1`, [first]);
    expect(rows).toEqual([{ title: "", cover: "" }]);
  });

  test("a student → 403 10101, nothing stored", async () => {
    const before = await countCourses();
    expectError(await t.rest("POST", "/courses", { token: S, body: { title: "math" } }), 403, 10101, "only teacher can create a course.");
    expect(await countCourses()).toBe(before);
  });

  test("validation comes before the role check (a student without title → 400 Lack of title)", async () => {
    expectError(await t.rest("POST", "/courses", { token: S, body: {} }), 400, 10003, "Lack of title");
  });

  test("no bearer → 401 Lack of token; an unknown bearer → 401 Token expired; nothing stored", async () => {
    const before = await countCourses();
    expectError(await t.rest("POST", "/courses", { body: { title: "math" } }), 401, 10003, "Lack of token");
    expectError(await t.rest("POST", "/courses", { token: "never-issued-token", body: { title: "math" } }), 401, 10009, "Token expired");
    expect(await countCourses()).toBe(before);
  });

  test.each([
    [{}, "Lack of title"],
    [{ title: null }, "Lack of title"],
    [{ title: 5 }, " Invalid title"],
    [{ title: "ok", cover: 5 }, " Invalid cover"],
  ])("body %j → 400 %j, nothing stored", async (body, info) => {
    const before = await countCourses();
    expectError(await t.rest("POST", "/courses", { token: T, body }), 400, 10003, info);
    expect(await countCourses()).toBe(before);
  });

  test("malformed JSON → 400 10002", async () => {
    expectError(await t.rest("POST", "/courses", { token: T, raw: '{"title":' }), 400, 10002, "HTTP Request Json Parse Error");
  });
});

describe("GET /courses", () => {
  const BASE = 1_600_000_000;
  const N = 22;
  /** The lister's courses, in creation order; course i has effective time BASE + 100·i. */
  let rooms: number[] = [];
  /** Newest effective time first. */
  let ordered: number[] = [];

  beforeAll(async () => {
    const L = await signUp(t, "rc-lister", 1);
    rooms = [];
    for (let i = 0; i < N; i++) rooms.push(await createCourse(L, { title: `list-${i}` }));
    // Course 1 ended, course 2 living (through the API), course 0 replayable (as the index callback leaves it).
    await startCourse(rooms[1]!, L);
    expect((await t.rest("POST", `/courses/${rooms[1]}/end`, { token: L })).status).toBe(200);
    await startCourse(rooms[2]!, L);
    await sql(`UPDATE "Course" SET state = 3, "replayIndexUrl" = 'http://idx/list-0.json' WHERE roomnum = $1`, [rooms[0]]);
    for (let i = 0; i < N; i++) {
      await sql(`UPDATE "Course" SET "effectiveAt" = to_timestamp($1), "createdAt" = to_timestamp($1) WHERE roomnum = $2`, [BASE + 100 * i, rooms[i]]);
    }
    ordered = [...rooms].reverse();
  });

  const list = (query: string, token = S) => t.rest("GET", `/courses${query}`, { token });
  const roomnumsOf = (answer: RestAnswer) => (answer.body.rooms as Array<{ roomnum: number }>).map((r) => r.roomnum);

  test("default paging: the first 20, newest effective time first, with the total", async () => {
    const answer = await list("?host_uid=rc-lister");
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body).sort()).toEqual(["rooms", "total"]);
    expect(answer.body.total).toBe(N);
    expect(roomnumsOf(answer)).toEqual(ordered.slice(0, 20));
    for (const room of answer.body.rooms) {
      expect(Object.keys(room).sort()).toEqual(ROOM_KEYS);
      expect(room.host_uid).toBe("rc-lister");
      expect(room.groupid).toBe(String(room.roomnum));
    }
  });

  test("limit and offset page the list", async () => {
    const answer = await list("?host_uid=rc-lister&limit=5&offset=3");
    expect(answer.status).toBe(200);
    expect(answer.body.total).toBe(N);
    expect(roomnumsOf(answer)).toEqual(ordered.slice(3, 8));
    const last = await list("?host_uid=rc-lister&limit=50&offset=20");
    expect(roomnumsOf(last)).toEqual(ordered.slice(20));
  });

  test("an offset past the end, or limit 0, gives no rooms and the right total", async () => {
    for (const query of ["?host_uid=rc-lister&offset=22", "?host_uid=rc-lister&offset=1000&limit=10", "?host_uid=rc-lister&limit=0"]) {
      const answer = await list(query);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ total: N, rooms: [] });
    }
  });

  test.each([
    ["?limit=51", "Page size should be a positive integer(not larger than 50)"],
    ["?limit=-1", "Page size should be a positive integer(not larger than 50)"],
    ["?limit=abc", "Page size should be a positive integer(not larger than 50)"],
    ["?offset=-1", "Page index should be a non-negative integer"],
    ["?offset=1.5", "Page index should be a non-negative integer"],
  ])("%s → 400 %j", async (query, info) => {
    expectError(await list(query), 400, 10003, info);
  });

  test("no filter: every course of the app (visible to any of its users), first page of 20", async () => {
    const total = await countCourses();
    const answer = await list("");
    expect(answer.status).toBe(200);
    expect(answer.body.total).toBe(total);
    expect(answer.body.rooms).toHaveLength(Math.min(20, total));
    // The courses created now come before the lister's (their effective times are in 2020).
    const effective = await sql<{ roomnum: number }>(
      `SELECT roomnum FROM "Course" WHERE appid = ${APPID} ORDER BY "effectiveAt" DESC, roomnum ASC LIMIT 20`,
    );
    expect(roomnumsOf(answer)).toEqual(effective.map((r) => r.roomnum));
  });

  test("a user of another app sees none of these courses", async () => {
    const answer = await list("?limit=50", O);
    expect(answer.status).toBe(200);
    expect(answer.body.total).toBe(0);
    expect(answer.body.rooms).toEqual([]);
  });

  test.each([
    [0, N - 3],
    [1, 1],
    [2, 1],
    [3, 1],
  ])("state=%i with host_uid", async (state, expected) => {
    const answer = await list(`?host_uid=rc-lister&state=${state}&limit=50`);
    expect(answer.status).toBe(200);
    expect(answer.body.total).toBe(expected);
    expect(answer.body.rooms.map((r: { state: number }) => r.state)).toEqual(Array(expected).fill(state));
  });

  test("state=3 (replayable; FIX B1) lists the replay players' courses with their index url", async () => {
    const answer = await list("?state=3&limit=50");
    expect(answer.status).toBe(200);
    expect(answer.body.total).toBe(await countCourses("state = 3"));
    expect(roomnumsOf(answer)).toContain(rooms[0]);
    const room = answer.body.rooms.find((r: { roomnum: number }) => r.roomnum === rooms[0]);
    expect(room).toMatchObject({ state: 3, playback_idx_url: "http://idx/list-0.json", replay_idx_url: "http://idx/list-0.json" });
  });

  test("each state alone filters the whole app", async () => {
    for (const state of [0, 1, 2, 3]) {
      const answer = await list(`?state=${state}&limit=50`);
      expect(answer.status).toBe(200);
      expect(answer.body.total).toBe(await countCourses("state = $1", [state]));
      for (const room of answer.body.rooms) expect(room.state).toBe(state);
    }
  });

  test.each(["4", "-1", "abc", "1.5"])("state=%s → 400 state invalid", async (state) => {
    expectError(await list(`?state=${state}`), 400, 10003, "state invalid");
  });

  test("host_uid filters on the teacher; an unknown one → 404 10005", async () => {
    const mine = await list("?host_uid=rc-teacher&limit=50");
    expect(mine.status).toBe(200);
    expect(mine.body.total).toBe(await countCourses(`"hostUin" = $1`, [await uinOf("rc-teacher")]));
    for (const room of mine.body.rooms) expect(room.host_uid).toBe("rc-teacher");
    expectError(await list("?host_uid=nobody-here"), 404, 10005, "check host_uid failed,msg:User not exist");
    // The id must match exactly, as at login.
    expectError(await list("?host_uid=RC-LISTER"), 404, 10005, "check host_uid failed,msg:User not exist");
  });

  test("roomnum filters on one course", async () => {
    const answer = await list(`?roomnum=${rooms[5]}`);
    expect(answer.status).toBe(200);
    expect(answer.body.total).toBe(1);
    expect(roomnumsOf(answer)).toEqual([rooms[5]]);
    expect(answer.body.rooms[0]).toMatchObject({ title: "list-5", host_uid: "rc-lister", state: 0 });
    expect(await list("?roomnum=99999")).toEqual({ status: 200, body: { total: 0, rooms: [] } });
    expectError(await list("?roomnum=abc"), 400, 10003, "roomnum invalid");
  });

  test("from_time (exclusive) and to_time (inclusive) filter on the effective time", async () => {
    const from = await list(`?host_uid=rc-lister&from_time=${BASE + 500}&limit=50`);
    expect(from.status).toBe(200);
    expect(roomnumsOf(from)).toEqual(ordered.slice(0, N - 6)); // courses 6..21
    expect(from.body.total).toBe(N - 6);

    // to_time alone: only the lister's old courses are that old.
    const to = await list(`?to_time=${BASE + 1000}&limit=50`);
    expect(to.status).toBe(200);
    expect(to.body.total).toBe(11); // courses 0..10
    expect(roomnumsOf(to)).toEqual(rooms.slice(0, 11).reverse());

    const both = await list(`?from_time=${BASE + 500}&to_time=${BASE + 1000}&limit=50`);
    expect(both.status).toBe(200);
    expect(both.body.total).toBe(5); // courses 6..10
    expect(roomnumsOf(both)).toEqual(rooms.slice(6, 11).reverse());

    // from_time alone, whole app: everything created now plus the lister's newer ones.
    const fromAll = await list(`?from_time=${BASE + 500}&limit=0`);
    expect(fromAll.body.total).toBe(await countCourses(`"effectiveAt" > to_timestamp($1)`, [BASE + 500]));
  });

  test.each([
    [`?from_time=5&to_time=4`, "from_time must less than to_time"],
    [`?from_time=x`, "from_time invalid"],
    [`?to_time=1.5`, "to_time invalid"],
  ])("%s → 400 %j", async (query, info) => {
    expectError(await list(query), 400, 10003, info);
  });

  test("no bearer → 401", async () => {
    expectError(await t.rest("GET", "/courses"), 401, 10003, "Lack of token");
  });
});

describe("GET /courses/:roomnum", () => {
  test("a created course: the full room object", async () => {
    const roomnum = await createCourse(T, { title: "one", cover: "http://x/c.png" });
    const answer = await t.rest("GET", `/courses/${roomnum}`, { token: S });
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body).sort()).toEqual(ROOM_KEYS);
    expect(answer.body).toEqual({
      host_uid: "rc-teacher",
      title: "one",
      roomnum,
      state: 0,
      groupid: String(roomnum),
      cover: "http://x/c.png",
      begin_time: 0,
      end_time: 0,
      begin_imseq: 0,
      end_imseq: 0,
      playback_idx_url: "",
      can_trigger_replay_idx: 0,
      trigger_replay_idx_time: 0,
      trigger_replay_idx_result: 0,
      replay_idx_created_time: 0,
      replay_idx_created_result: 0,
      replay_idx_url: "",
      memsize: 0,
      replay_idx_status: "",
      replay_idx_attempts: 0,
      replay_idx_error: "",
      last_rec_imseq: 0,
      videos: [],
      recording: 0,
      live_urls: [],
    });
  });

  test("through start, a member entering and the end, it follows the course", async () => {
    const roomnum = await livingCourse();
    const startMsg = t.im.messages.at(-1)!;
    let row = await courseRow(roomnum);
    let room = (await t.rest("GET", `/courses/${roomnum}`, { token: T })).body;
    expect(room).toMatchObject({ state: 1, begin_time: unix(row.startedAt), begin_imseq: startMsg.msgSeq, end_time: 0, end_imseq: 0, memsize: 1 });
    expect(room.begin_time).toBeGreaterThan(0);

    expect((await t.rest("POST", `/courses/${roomnum}/members`, { token: S })).status).toBe(200);
    room = (await t.rest("GET", `/courses/${roomnum}`, { token: S })).body;
    expect(room.memsize).toBe(2);

    expect((await t.rest("POST", `/courses/${roomnum}/end`, { token: T })).status).toBe(200);
    const endMsg = t.im.messages.at(-1)!;
    row = await courseRow(roomnum);
    room = (await t.rest("GET", `/courses/${roomnum}`, { token: S })).body;
    expect(room).toMatchObject({
      state: 2,
      begin_time: unix(row.startedAt),
      begin_imseq: startMsg.msgSeq,
      end_time: unix(row.endedAt),
      end_imseq: endMsg.msgSeq,
      memsize: 0,
      can_trigger_replay_idx: 0,
    });
    expect(room.end_time).toBeGreaterThan(0);
  });

  test("an unknown course → 404 10100", async () => {
    expectError(await t.rest("GET", "/courses/99999", { token: T }), 404, 10100, "get room info failed");
    expectError(await t.rest("GET", "/courses/-5", { token: T }), 404, 10100, "get room info failed");
  });

  test("roomnum 0 is no course → 404 10100 (not the first course of the list)", async () => {
    await createCourse();
    expectError(await t.rest("GET", "/courses/0", { token: T }), 404, 10100, "get room info failed");
  });

  test("a course of another app → 404 10100", async () => {
    const roomnum = await createCourse();
    expectError(await t.rest("GET", `/courses/${roomnum}`, { token: O }), 404, 10100, "get room info failed");
  });

  test("no bearer → 401", async () => {
    expectError(await t.rest("GET", "/courses/10001"), 401, 10003, "Lack of token");
  });
});

describe("POST /courses/:roomnum/start", () => {
  test("200: IM 1001 posted to the course's group, state 1, the teacher in class", async () => {
    const roomnum = await createCourse();
    const before = t.im.messages.length;
    const answer = await t.rest("POST", `/courses/${roomnum}/start`, { token: T, body: { timeStamp: 777 } });
    expect(answer.status).toBe(200);
    const sent = t.im.messages.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ groupId: String(roomnum), data: { type: 1001, timestamp: 777, value: { uid: "rc-teacher" } } });
    expect(t.im.rejected).toEqual([]);
    const row = await courseRow(roomnum);
    expect(row.state).toBe(1);
    expect(row.startImSeq).toBe(sent[0]!.msgSeq);
    expect(row.startedAt).not.toBeNull();
    const members = await sql(`SELECT uin, "leftAt" FROM "ClassMember" WHERE roomnum = $1`, [roomnum]);
    expect(members).toEqual([{ uin: await uinOf("rc-teacher"), leftAt: null }]);
  });

  test("without a timeStamp the IM marker still carries one", async () => {
    const roomnum = await createCourse();
    expect((await t.rest("POST", `/courses/${roomnum}/start`, { token: T })).status).toBe(200);
    const msg = t.im.messages.at(-1)!;
    expect(msg.groupId).toBe(String(roomnum));
    expect(Number.isInteger(msg.data.timestamp)).toBe(true);
  });

  test("twice → 409 10102, one marker only", async () => {
    const roomnum = await livingCourse();
    expectError(await t.rest("POST", `/courses/${roomnum}/start`, { token: T }), 409, 10102, " only state=created room can start a course");
    expect(t.im.messages.filter((m) => m.groupId === String(roomnum) && m.data.type === 1001)).toHaveLength(1);
  });

  test("an ended course cannot be restarted → 409 10102", async () => {
    const roomnum = await livingCourse();
    expect((await t.rest("POST", `/courses/${roomnum}/end`, { token: T })).status).toBe(200);
    expectError(await t.rest("POST", `/courses/${roomnum}/start`, { token: T }), 409, 10102, " only state=created room can start a course");
    expect((await courseRow(roomnum)).state).toBe(2);
  });

  test("by a student or another teacher → 403 10101; nothing changes, nothing posted", async () => {
    const roomnum = await createCourse();
    const before = t.im.messages.length;
    for (const token of [S, T2]) {
      expectError(await t.rest("POST", `/courses/${roomnum}/start`, { token }), 403, 10101, " only the teacher who created the course can start it.");
    }
    expect(t.im.messages.length).toBe(before);
    expect((await courseRow(roomnum)).state).toBe(0);
  });

  test.each(["error", "down", "garbage"] as const)("IM %s → 502 10103; the course stays created; a retry then works", async (mode) => {
    const roomnum = await createCourse();
    t.im.mode = mode;
    expectError(await t.rest("POST", `/courses/${roomnum}/start`, { token: T }), 502, 10103, "save info to imgroup failed.");
    expect(await courseRow(roomnum)).toEqual({ state: 0, startedAt: null, startImSeq: 0, endedAt: null, endImSeq: 0 });
    expect(await sql(`SELECT 1 FROM "ClassMember" WHERE roomnum = $1`, [roomnum])).toHaveLength(0);
    t.im.mode = "ok";
    expect((await t.rest("POST", `/courses/${roomnum}/start`, { token: T })).status).toBe(200);
    expect((await courseRow(roomnum)).state).toBe(1);
  });

  test("an unknown course → 404 10100", async () => {
    expectError(await t.rest("POST", "/courses/99999/start", { token: T }), 404, 10100, "get room info failed");
  });

  test("no bearer → 401", async () => {
    const roomnum = await createCourse();
    expectError(await t.rest("POST", `/courses/${roomnum}/start`), 401, 10003, "Lack of token");
    expect((await courseRow(roomnum)).state).toBe(0);
  });
});

describe("POST /courses/:roomnum/end", () => {
  test("200: IM 1002, state 2, everyone out", async () => {
    const roomnum = await livingCourse();
    expect((await t.rest("POST", `/courses/${roomnum}/members`, { token: S })).status).toBe(200);
    const answer = await t.rest("POST", `/courses/${roomnum}/end`, { token: T });
    expect(answer.status).toBe(200);
    const msg = t.im.messages.at(-1)!;
    expect(msg).toMatchObject({ groupId: String(roomnum), data: { type: 1002, value: { uid: "rc-teacher" } } });
    const row = await courseRow(roomnum);
    expect(row.state).toBe(2);
    expect(row.endImSeq).toBe(msg.msgSeq);
    expect(row.endedAt).not.toBeNull();
    expect(await sql(`SELECT 1 FROM "ClassMember" WHERE roomnum = $1 AND "leftAt" IS NULL`, [roomnum])).toHaveLength(0);
  });

  test("when not living → 409 10102 (never started, or ended twice)", async () => {
    const created = await createCourse();
    expectError(await t.rest("POST", `/courses/${created}/end`, { token: T }), 409, 10102, "only state=living room can exit");
    expect((await courseRow(created)).state).toBe(0);
    const roomnum = await livingCourse();
    expect((await t.rest("POST", `/courses/${roomnum}/end`, { token: T })).status).toBe(200);
    expectError(await t.rest("POST", `/courses/${roomnum}/end`, { token: T }), 409, 10102, "only state=living room can exit");
    expect(t.im.messages.filter((m) => m.groupId === String(roomnum) && m.data.type === 1002)).toHaveLength(1);
  });

  test("by a student or another teacher → 403 10101; the class goes on", async () => {
    const roomnum = await livingCourse();
    for (const token of [S, T2]) {
      expectError(await t.rest("POST", `/courses/${roomnum}/end`, { token }), 403, 10101, "only the teacher can end the course.");
    }
    expect((await courseRow(roomnum)).state).toBe(1);
  });

  test("IM failure → 502 10103 and the class stays living", async () => {
    const roomnum = await livingCourse();
    t.im.mode = "error";
    expectError(await t.rest("POST", `/courses/${roomnum}/end`, { token: T }), 502, 10103, "save info to imgroup failed.");
    const row = await courseRow(roomnum);
    expect(row.state).toBe(1);
    expect(row.endedAt).toBeNull();
    expect(row.endImSeq).toBe(0);
  });

  test("an unknown course → 404 10100", async () => {
    expectError(await t.rest("POST", "/courses/99999/end", { token: T }), 404, 10100, "get room info failed");
  });
});

describe("/courses/:roomnum/members", () => {
  let roomnum: number;
  beforeAll(async () => {
    roomnum = await livingCourse();
  });
  const members = (token: string, query = "") => t.rest("GET", `/courses/${roomnum}/members${query}`, { token });

  test("entering: 200, IM 1003, then listed with {total, idlist}", async () => {
    const before = t.im.messages.length;
    expect((await t.rest("POST", `/courses/${roomnum}/members`, { token: S })).status).toBe(200);
    const sent = t.im.messages.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ groupId: String(roomnum), data: { type: 1003, value: { uid: "rc-student" } } });

    const answer = await members(T);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ total: 2, idlist: [{ id: "rc-teacher", role: 1 }, { id: "rc-student", role: 0 }] });
    // A member reads the same list.
    expect((await members(S)).body).toEqual(answer.body);
  });

  test("entering again is fine and opens no second stay", async () => {
    expect((await t.rest("POST", `/courses/${roomnum}/members`, { token: S })).status).toBe(200);
    const open = await sql(`SELECT 1 FROM "ClassMember" WHERE roomnum = $1 AND uin = $2 AND "leftAt" IS NULL`, [roomnum, await uinOf("rc-student")]);
    expect(open).toHaveLength(1);
    expect((await members(T)).body.total).toBe(2);
  });

  test("limit and offset page the member list", async () => {
    expect((await t.rest("POST", `/courses/${roomnum}/members`, { token: S2 })).status).toBe(200);
    expect((await members(T, "?limit=1&offset=1")).body).toEqual({ total: 3, idlist: [{ id: "rc-student", role: 0 }] });
    expect((await members(T, "?offset=3")).body).toEqual({ total: 3, idlist: [] });
    expectError(await members(T, "?limit=51"), 400, 10003, "Page size should be a positive integer(not larger than 50)");
    expectError(await members(T, "?offset=-1"), 400, 10003, "Page index should be a non-negative integer");
  });

  test("leaving: 204 without a body, then no longer listed; leaving again is fine", async () => {
    const answer = await t.rest("DELETE", `/courses/${roomnum}/members`, { token: S2 });
    expect(answer.status).toBe(204);
    expect(answer.body).toBeUndefined();
    const list = (await members(T)).body;
    expect(list.total).toBe(2);
    expect(list.idlist.map((m: { id: string }) => m.id)).not.toContain("rc-student2");
    const rows = await sql(`SELECT "leftAt" IS NOT NULL AS left, "leaveReason" FROM "ClassMember" WHERE roomnum = $1 AND uin = $2`, [roomnum, await uinOf("rc-student2")]);
    expect(rows).toEqual([{ left: true, leaveReason: "left" }]);
    expect((await t.rest("DELETE", `/courses/${roomnum}/members`, { token: S2 })).status).toBe(204);
  });

  test("a past member may still list the members", async () => {
    const answer = await members(S2);
    expect(answer.status).toBe(200);
    expect(answer.body.total).toBe(2);
  });

  test("leaving a room never entered → 409 10107", async () => {
    expectError(await t.rest("DELETE", `/courses/${roomnum}/members`, { token: S3 }), 409, 10107, "can not repeat exit a room.");
    expect(await sql(`SELECT 1 FROM "ClassMember" WHERE uin = $1`, [await uinOf("rc-outsider")])).toHaveLength(0);
  });

  test("someone who never was a member and is not the teacher → 403 10101", async () => {
    expectError(await members(S3), 403, 10101, "only the teacher and members of the course can list its members.");
    expectError(await members(T2), 403, 10101, "only the teacher and members of the course can list its members.");
  });

  test("entering a course that is not living → 409 10102", async () => {
    const created = await createCourse();
    expectError(await t.rest("POST", `/courses/${created}/members`, { token: S }), 409, 10102, "can only enter/exit a state=living room");
    const ended = await livingCourse();
    expect((await t.rest("POST", `/courses/${ended}/end`, { token: T })).status).toBe(200);
    expectError(await t.rest("POST", `/courses/${ended}/members`, { token: S }), 409, 10102, "can only enter/exit a state=living room");
    expectError(await t.rest("DELETE", `/courses/${ended}/members`, { token: S }), 409, 10102, "can only enter/exit a state=living room");
    expect(await sql(`SELECT 1 FROM "ClassMember" WHERE roomnum IN ($1, $2) AND uin = $3`, [created, ended, await uinOf("rc-student")])).toHaveLength(0);
  });

  test("entering when IM fails → 502 10103 and the member is not in class", async () => {
    const other = await livingCourse();
    t.im.mode = "error";
    expectError(await t.rest("POST", `/courses/${other}/members`, { token: S }), 502, 10103, "save info to imgroup failed.");
    t.im.mode = "ok";
    expect(await sql(`SELECT 1 FROM "ClassMember" WHERE roomnum = $1 AND uin = $2`, [other, await uinOf("rc-student")])).toHaveLength(0);
    expect((await t.rest("GET", `/courses/${other}/members`, { token: T })).body).toEqual({ total: 1, idlist: [{ id: "rc-teacher", role: 1 }] });
  });

  test("entering an unknown course → 404 10100", async () => {
    expectError(await t.rest("POST", "/courses/99999/members", { token: S }), 404, 10100, "get room info failed");
  });
});

describe("/courses/:roomnum/bindings", () => {
  let roomnum: number;
  beforeAll(async () => {
    roomnum = await createCourse(T, { title: "with bindings" });
  });
  const bindings = () => sql<{ uin: number; roomnum: number | null; type: number; fileName: string; url: string }>(
    `SELECT uin, roomnum, type, "fileName", url FROM "Binding" WHERE roomnum = $1 ORDER BY id`,
    [roomnum],
  );
  const bind = (body: unknown, token = T, room: number = roomnum) => t.rest("POST", `/courses/${room}/bindings`, { token, body });

  test("POST {type, file_name, url} → 201 and stored", async () => {
    const answer = await bind({ type: 0, file_name: "a.ppt", url: "http://cos/a.ppt" });
    expect(answer.status).toBe(201);
    expect(await bindings()).toEqual([{ uin: await uinOf("rc-teacher"), roomnum, type: 0, fileName: "a.ppt", url: "http://cos/a.ppt" }]);
  });

  test("the same url again → 409 10104, still one row", async () => {
    expectError(await bind({ type: 1, file_name: "other name", url: "http://cos/a.ppt" }), 409, 10104, "has binded.");
    expect(await bindings()).toHaveLength(1);
  });

  test("GET → {total, bind_files}, newest first, bind_time from the row", async () => {
    expect((await bind({ type: 1, file_name: "b.mp4", url: "http://vod/b.mp4" })).status).toBe(201);
    const rows = await sql<{ boundAt: Date; url: string }>(`SELECT "boundAt", url FROM "Binding" WHERE roomnum = $1 ORDER BY id DESC`, [roomnum]);
    const answer = await t.rest("GET", `/courses/${roomnum}/bindings`, { token: T });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      total: 2,
      bind_files: [
        { type: 1, bind_time: unix(rows[0]!.boundAt), file_name: "b.mp4", url: "http://vod/b.mp4" },
        { type: 0, bind_time: unix(rows[1]!.boundAt), file_name: "a.ppt", url: "http://cos/a.ppt" },
      ],
    });
    const page = await t.rest("GET", `/courses/${roomnum}/bindings?limit=1&offset=1`, { token: T });
    expect(page.body).toEqual({ total: 2, bind_files: [answer.body.bind_files[1]] });
  });

  test("a student who entered the class reads the same list; one who never did → 403 10101", async () => {
    const living = await livingCourse();
    expect((await bind({ type: 0, file_name: "l.ppt", url: "http://cos/l.ppt" }, T, living)).status).toBe(201);
    expect((await t.rest("POST", `/courses/${living}/members`, { token: S })).status).toBe(200);
    const answer = await t.rest("GET", `/courses/${living}/bindings`, { token: S });
    expect(answer.status).toBe(200);
    expect(answer.body.total).toBe(1);
    expect(answer.body.bind_files[0]).toMatchObject({ type: 0, file_name: "l.ppt", url: "http://cos/l.ppt" });
    expectError(
      await t.rest("GET", `/courses/${living}/bindings`, { token: S3 }),
      403,
      10101,
      "only the teacher and members of the course can query its bindings.",
    );
  });

  test("DELETE {url} → 204; again → 404 10105", async () => {
    const answer = await t.rest("DELETE", `/courses/${roomnum}/bindings`, { token: T, body: { url: "http://vod/b.mp4" } });
    expect(answer.status).toBe(204);
    expect(answer.body).toBeUndefined();
    expect((await bindings()).map((b) => b.url)).toEqual(["http://cos/a.ppt"]);
    expectError(await t.rest("DELETE", `/courses/${roomnum}/bindings`, { token: T, body: { url: "http://vod/b.mp4" } }), 404, 10105, "the resource not binded");
    expect(await bindings()).toHaveLength(1);
  });

  test("DELETE takes the url from ?url= as well", async () => {
    expect((await bind({ type: 0, file_name: "q.ppt", url: "http://cos/q.ppt" })).status).toBe(201);
    const answer = await t.rest("DELETE", `/courses/${roomnum}/bindings?url=${encodeURIComponent("http://cos/q.ppt")}`, { token: T });
    expect(answer.status).toBe(204);
    expect((await bindings()).map((b) => b.url)).toEqual(["http://cos/a.ppt"]);
  });

  test("listing the bindings of an unknown course → 404 10100", async () => {
    expectError(await t.rest("GET", "/courses/99999/bindings", { token: T }), 404, 10100, "get room info failed");
  });

  test("a student binding or unbinding → 403 10101, nothing changes", async () => {
    expectError(await bind({ type: 0, file_name: "s.ppt", url: "http://cos/s.ppt" }, S), 403, 10101, "only the teacher can bind/unbind a resource.");
    expectError(
      await t.rest("DELETE", `/courses/${roomnum}/bindings`, { token: S, body: { url: "http://cos/a.ppt" } }),
      403,
      10101,
      "only the teacher can bind/unbind a resource.",
    );
    expectError(await bind({ type: 0, file_name: "t2.ppt", url: "http://cos/t2.ppt" }, T2), 403, 10101, "only the teacher can bind/unbind a resource.");
    expect((await bindings()).map((b) => b.url)).toEqual(["http://cos/a.ppt"]);
  });

  test.each([
    [{ file_name: "x", url: "http://x" }, "Lack info bindfile.type"],
    [{ type: 2, file_name: "x", url: "http://x" }, "invalide bindfile.type"],
    [{ type: 0, url: "http://x" }, "Lack info bindfile.file_name"],
    [{ type: 0, file_name: "", url: "http://x" }, "invalide bindfile.filename"],
    [{ type: 0, file_name: "x" }, "Lack info bindfile.url"],
    [{ type: 0, file_name: "x", url: "" }, "invalide bindfile.url"],
  ])("POST %j → 400 %j, nothing stored", async (body, info) => {
    expectError(await bind(body), 400, 10003, info);
    expect(await bindings()).toHaveLength(1);
  });

  test("binding to an ended course → 409 10102; to an unknown one → 404 10100", async () => {
    const ended = await livingCourse();
    expect((await t.rest("POST", `/courses/${ended}/end`, { token: T })).status).toBe(200);
    expectError(await bind({ type: 0, file_name: "e", url: "http://cos/e" }, T, ended), 409, 10102, "only state=created/living room can bind resource");
    expectError(await bind({ type: 0, file_name: "e", url: "http://cos/e" }, T, 99999), 404, 10100, "get room info failed");
    expect(await sql(`SELECT 1 FROM "Binding" WHERE url = 'http://cos/e'`)).toHaveLength(0);
  });

  test("no bearer → 401", async () => {
    expectError(await t.rest("POST", `/courses/${roomnum}/bindings`, { body: { type: 0, file_name: "n", url: "http://n" } }), 401, 10003, "Lack of token");
    expectError(await t.rest("GET", `/courses/${roomnum}/bindings`), 401, 10003, "Lack of token");
  });
});

describe("a roomnum path parameter that is not a number → 400 10003", () => {
  const body = { type: 0, file_name: "x", url: "http://x" };
  test.each([
    ["GET", "/courses/abc", "roomnum invalid"],
    ["GET", "/courses/12abc", "roomnum invalid"],
    ["POST", "/courses/abc/start", " Invalid roomnum"],
    ["POST", "/courses/1.5/start", " Invalid roomnum"],
    ["POST", "/courses/abc/end", "Invalid roomnum"],
    ["GET", "/courses/abc/members", " Invalid roomnum"],
    ["POST", "/courses/abc/members", " Invalid roomnum"],
    ["DELETE", "/courses/abc/members", " Invalid roomnum"],
    ["GET", "/courses/abc/bindings", "Invalid roomnum"],
    ["POST", "/courses/abc/bindings", "Invalid roomnum"],
    ["DELETE", "/courses/abc/bindings", "Invalid roomnum"],
  ])("%s %s → 400 %j", async (method, path, info) => {
    const before = await sql(`SELECT count(*) AS n FROM "Binding"`);
    const answer = await t.rest(method, path, { token: T, body: method === "GET" ? undefined : body });
    expectError(answer, 400, 10003, info);
    expect(await sql(`SELECT count(*) AS n FROM "Binding"`)).toEqual(before);
  });
});

describe("POST /courses/:roomnum/heartbeat", () => {
  test("204: the beat is recorded in Redis, as the protocol's heartbeat", async () => {
    const roomnum = await livingCourse();
    expect((await t.rest("POST", `/courses/${roomnum}/members`, { token: S })).status).toBe(200);
    const before = Date.now();
    const answer = await t.rest("POST", `/courses/${roomnum}/heartbeat`, { token: S });
    expect(answer).toEqual({ status: 204, body: undefined });
    const score = await t.server.redis.zscore(`{course:${roomnum}}:presence`, String(await uinOf("rc-student")));
    expect(Number(score)).toBeGreaterThanOrEqual(before);
  });

  test("an unknown course → 404 10100; no bearer → 401", async () => {
    expectError(await t.rest("POST", "/courses/99999/heartbeat", { token: S }), 404, 10100, "get room info failed");
    expectError(await t.rest("POST", "/courses/99999/heartbeat"), 401, 10003, "Lack of token");
  });
});

describe("/library/bindings: the caller's own library (no course)", () => {
  const file = { type: 1, file_name: "mine.mp4", url: "http://vod/mine.mp4" };

  test("POST → 201, GET lists it for its owner only, DELETE → 204", async () => {
    expect((await t.rest("POST", "/library/bindings", { token: S, body: file })).status).toBe(201);
    const rows = await sql<{ scope: string; roomnum: number | null }>(`SELECT scope, roomnum FROM "Binding" WHERE url = $1`, [file.url]);
    expect(rows).toEqual([{ scope: `u:${await uinOf("rc-student")}`, roomnum: null }]);
    const mine = await t.rest("GET", "/library/bindings", { token: S });
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({ total: 1, bind_files: [{ type: 1, bind_time: expect.any(Number), file_name: "mine.mp4", url: file.url }] });
    expect((await t.rest("GET", "/library/bindings", { token: S2 })).body).toEqual({ total: 0, bind_files: [] });
    expectError(await t.rest("POST", "/library/bindings", { token: S, body: file }), 409, 10104, "has binded.");
    expect((await t.rest("DELETE", `/library/bindings?url=${encodeURIComponent(file.url)}`, { token: S })).status).toBe(204);
    expectError(await t.rest("DELETE", "/library/bindings", { token: S, body: { url: file.url } }), 404, 10105, "the resource not binded");
    expect(await sql(`SELECT 1 FROM "Binding" WHERE url = $1`, [file.url])).toHaveLength(0);
  });

  test("DELETE without a url → 400 Lack info bindfile.url", async () => {
    expectError(await t.rest("DELETE", "/library/bindings", { token: S }), 400, 10003, "Lack info bindfile.url");
  });
});

describe("a roomnum path parameter of 0 or below names no course → 404 10100", () => {
  test.each([
    ["GET", "/courses/0"],
    ["GET", "/courses/-1"],
    ["GET", "/courses/-1/members"],
    ["POST", "/courses/0/members"],
    ["GET", "/courses/0/bindings"],
    ["POST", "/courses/0/bindings"],
    ["DELETE", "/courses/0/bindings?url=x"],
    ["POST", "/courses/-5/start"],
  ])("%s %s", async (method, path) => {
    const body = method === "POST" ? { type: 0, file_name: "x", url: "http://x" } : undefined;
    expectError(await t.rest(method, path, { token: T, body }), 404, 10100, "get room info failed");
    expect(await sql(`SELECT 1 FROM "Binding" WHERE roomnum IS NULL AND url = 'http://x'`)).toHaveLength(0);
  });
});
