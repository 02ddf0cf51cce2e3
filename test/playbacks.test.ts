import { createHmac } from "node:crypto";
import { C, signUp, signUpClassroom, startTestServer, type TestServer } from "./support/harness";
import { sql, TEST_APP } from "./support/env";

/**
 * What a replay player pulls: the playback list (roomlist state 3, GET /api/v1/playbacks)
 * and, without an index service, the replay index the server builds itself (a JSON
 * manifest behind a signed link), from the recordings the emulator's bypass recording
 * announced and the class's attendance.
 */

let t: TestServer;
let tokens: { T: string; S: string; S2: string };
let T2: string;

const unix = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : 0);
/** The link's signature, recomputed here: HMAC-SHA256(app secret, "replay-index:<roomnum>"), base64url, 22 characters. */
const linkSig = (roomnum: number) => createHmac("sha256", TEST_APP.secretKey).update(`replay-index:${roomnum}`).digest("base64url").slice(0, 22);

/** A class that ran and was recorded: teacher, two students (one left early); the index is then built by the scheduler. */
async function replayableClass(teacher: string, title: string, students = [tokens.S, tokens.S2]): Promise<number> {
  const live = (cmd: string, token: string, fields: Record<string, unknown>) => t.call("live", cmd, { ...C, token, ...fields });
  const roomnum = (await live("create", teacher, { title })).body.data.roomnum as number;
  await live("startcourse", teacher, { roomnum });
  for (const student of students) await live("reportmemid", student, { roomnum, operate: 0 });
  if (students.length > 1) await live("reportmemid", students[1]!, { roomnum, operate: 1 });
  await live("exitroom", teacher, { roomnum });
  await t.tencent.recorder.settled();
  expect(await t.server.replayScheduler.run()).toMatchObject([{ kind: "built" }]);
  return roomnum;
}

beforeAll(async () => {
  t = await startTestServer({ REPLAY_INDEX_DELAY_S: "0" });
  tokens = await signUpClassroom(t);
  T2 = await signUp(t, "teacher2", 1);
  t.tencent.recorder.enabled = true;
});
afterAll(() => t.close());

describe("the built-in replay index (no REPLAY_INDEX_URL)", () => {
  let roomnum: number;
  let url: string;
  beforeAll(async () => {
    roomnum = await replayableClass(tokens.T, "built in");
    url = (await sql<{ replayIndexUrl: string }>(`SELECT "replayIndexUrl" FROM "Course" WHERE roomnum = $1`, [roomnum]))[0]!.replayIndexUrl;
  });

  test("the class is replayable with a signed link to this server's manifest", () => {
    expect(url).toBe(`${t.url}/api/v1/courses/${roomnum}/replay-index?sig=${linkSig(roomnum)}`);
  });

  test("the manifest, field by field: the class, its IM range, its videos with their timing, who attended when", async () => {
    const response = await fetch(url); // a replay player pulls it as it is: no token
    expect(response.status).toBe(200);
    const manifest = (await response.json()) as Record<string, unknown>;
    const [course] = await sql<{ startedAt: Date; endedAt: Date; startImSeq: number; endImSeq: number; lastRecImSeq: number }>(
      `SELECT "startedAt", "endedAt", "startImSeq", "endImSeq", "lastRecImSeq" FROM "Course" WHERE roomnum = $1`,
      [roomnum],
    );
    const [video] = await sql<{ fileId: string; videoId: string; videoUrl: string; startAt: Date; endAt: Date; duration: number; fileSize: string; imSeq: number }>(
      `SELECT * FROM "VideoRecord" WHERE roomnum = $1`,
      [roomnum],
    );
    const stays = await sql<{ uid: string; role: number; joinedAt: Date; leftAt: Date; leaveReason: string }>(
      `SELECT a.uid, m.role, m."joinedAt", m."leftAt", m."leaveReason" FROM "ClassMember" m JOIN "Account" a ON a.uin = m.uin WHERE m.roomnum = $1 ORDER BY m."joinedAt", m.id`,
      [roomnum],
    );
    expect(course!.lastRecImSeq).toBe(video!.imSeq);
    expect(manifest).toEqual({
      version: 1,
      roomnum,
      groupid: String(roomnum),
      title: "built in",
      host_uid: "teacher1",
      begin_time: unix(course!.startedAt),
      end_time: unix(course!.endedAt),
      begin_imseq: course!.startImSeq,
      end_imseq: course!.endImSeq,
      last_rec_imseq: course!.lastRecImSeq,
      videos: [
        {
          file_id: video!.fileId,
          video_id: video!.videoId,
          video_url: video!.videoUrl,
          uid: "teacher1",
          file_format: "mp4",
          start_time: unix(video!.startAt),
          end_time: unix(video!.endAt),
          media_start_time: 0,
          duration: video!.duration,
          file_size: Number(video!.fileSize),
          imseq: video!.imSeq,
        },
      ],
      members: stays.map((stay) => ({ uid: stay.uid, role: stay.role, join_time: unix(stay.joinedAt), leave_time: unix(stay.leftAt), leave_reason: stay.leaveReason })),
    });
    expect(stays.map((s) => [s.uid, s.leaveReason])).toEqual([
      ["teacher1", "class_ended"],
      ["student1", "class_ended"],
      ["student2", "left"],
    ]);
    // The IM range covers the class's markers, the recording's 1004 included.
    expect(course!.startImSeq).toBeLessThan(video!.imSeq);
  });

  test("a later recording is in the manifest too (it is built when pulled)", async () => {
    t.tencent.recorder.record({ app: TEST_APP, groupId: String(roomnum), uid: "teacher1", startS: 1500000000, endS: 1500000100 });
    await t.tencent.recorder.settled();
    const manifest = (await (await fetch(url)).json()) as { videos: unknown[] };
    expect(manifest.videos).toHaveLength(2);
  });

  test.each([
    ["no sig", (room: number) => `/courses/${room}/replay-index`],
    ["a wrong sig", (room: number) => `/courses/${room}/replay-index?sig=${"A".repeat(22)}`],
    ["another class's sig", (room: number) => `/courses/${room}/replay-index?sig=${linkSig(room + 1)}`],
  ])("%s → 401 10101, nothing shown", async (_what, path) => {
    expect(await t.rest("GET", path(roomnum))).toEqual({ status: 401, body: { errorCode: 10101, errorInfo: "invalid replay index link." } });
  });

  test("an unknown class → 404; a class not yet ended (even with its signature) → 409", async () => {
    expect((await t.rest("GET", `/courses/424242/replay-index?sig=${linkSig(424242)}`)).status).toBe(404);
    expect((await t.rest("GET", `/courses/0/replay-index?sig=x`)).status).toBe(404);
    const living = (await t.call("live", "create", { ...C, token: tokens.T, title: "living" })).body.data.roomnum as number;
    expect(await t.rest("GET", `/courses/${living}/replay-index?sig=${linkSig(living)}`)).toEqual({
      status: 409,
      body: { errorCode: 10102, errorInfo: "the replay index is built once the class has ended." },
    });
  });

  test("PUBLIC_URL names the server in the link", async () => {
    const other = await startTestServer({ REPLAY_INDEX_DELAY_S: "0", PUBLIC_URL: "https://edu.example/" }, { keepStores: true });
    try {
      const T = await signUp(other, "public-teacher", 1);
      const room = (await other.call("live", "create", { ...C, token: T, title: "public" })).body.data.roomnum as number;
      await other.call("live", "startcourse", { ...C, token: T, roomnum: room });
      await other.call("live", "exitroom", { ...C, token: T, roomnum: room });
      await other.server.replayScheduler.run();
      const [row] = await sql<{ replayIndexUrl: string }>(`SELECT "replayIndexUrl" FROM "Course" WHERE roomnum = $1`, [room]);
      expect(row!.replayIndexUrl).toBe(`https://edu.example/api/v1/courses/${room}/replay-index?sig=${linkSig(room)}`);
    } finally {
      await other.close();
    }
  });
});

describe("the playback list", () => {
  let first: number;
  let second: number;
  let other: number;
  beforeAll(async () => {
    await sql(`UPDATE "Course" SET state = 2 WHERE state = 3`); // only this block's classes are replayable
    first = await replayableClass(tokens.T, "first");
    second = await replayableClass(tokens.T, "second", [tokens.S]);
    other = await replayableClass(T2, "other teacher's", [tokens.S2]);
    // Distinct start times, seconds apart, as apps see them.
    for (const [room, startS] of [[first, 1700000000], [second, 1700000100], [other, 1700000200]] as const) {
      await sql(`UPDATE "Course" SET "startedAt" = to_timestamp($2), "effectiveAt" = to_timestamp($2) WHERE roomnum = $1`, [room, startS]);
    }
  });

  test("roomlist state 3: each replayable class with its index URL, begin/end time, IM range and videos", async () => {
    const list = (await t.call("live", "roomlist", { ...C, token: tokens.S, index: 0, size: 10, state: 3 })).body.data;
    expect(list.total).toBe(3);
    expect(list.rooms.map((r: { roomnum: number }) => r.roomnum)).toEqual([other, second, first]);
    const [row] = await sql<{ replayIndexUrl: string; endedAt: Date; startImSeq: number; endImSeq: number }>(`SELECT * FROM "Course" WHERE roomnum = $1`, [first]);
    const room = list.rooms.find((r: { roomnum: number }) => r.roomnum === first);
    expect(room).toMatchObject({
      state: 3,
      playback_idx_url: row!.replayIndexUrl,
      replay_idx_url: row!.replayIndexUrl,
      begin_time: 1700000000,
      end_time: unix(row!.endedAt),
      begin_imseq: row!.startImSeq,
      end_imseq: row!.endImSeq,
      replay_idx_status: "built",
    });
    expect(room.videos).toHaveLength(1);
    expect(room.videos[0]).toMatchObject({ uid: "teacher1", file_format: "mp4", imseq: expect.any(Number) });
    expect(room.last_rec_imseq).toBe(room.videos[0].imseq);
  });

  test("GET /api/v1/playbacks: the same rooms, paged (limit, offset), by teacher and time", async () => {
    const get = (query: string) => t.rest("GET", `/playbacks${query}`, { token: tokens.S2 });
    const all = await get("");
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(3);
    expect(all.body.rooms.map((r: { roomnum: number }) => r.roomnum)).toEqual([other, second, first]);
    expect((await get("?limit=1&offset=1")).body.rooms.map((r: { roomnum: number }) => r.roomnum)).toEqual([second]);
    expect((await get("?limit=2&offset=2")).body).toMatchObject({ total: 3, rooms: [{ roomnum: first }] });
    expect((await get("?host_uid=teacher2")).body).toMatchObject({ total: 1, rooms: [{ roomnum: other, host_uid: "teacher2" }] });
    expect((await get("?from_time=1700000000&to_time=1700000100")).body.rooms.map((r: { roomnum: number }) => r.roomnum)).toEqual([second]);
    // The state is the route's: a query cannot widen it.
    expect((await get("?state=1")).body.total).toBe(3);
    expect((await get("?limit=51")).status).toBe(400);
    expect((await t.rest("GET", "/playbacks")).status).toBe(401);
  });

  test("classes not yet replayable are not in it", async () => {
    const ended = (await t.call("live", "create", { ...C, token: tokens.T, title: "ended only" })).body.data.roomnum as number;
    await t.call("live", "startcourse", { ...C, token: tokens.T, roomnum: ended });
    await t.call("live", "exitroom", { ...C, token: tokens.T, roomnum: ended });
    const rooms = (await t.rest("GET", "/playbacks", { token: tokens.S })).body.rooms.map((r: { roomnum: number }) => r.roomnum);
    expect(rooms).not.toContain(ended);
  });
});
