import type { Redis } from "ioredis";
import { C, signUp, signUpClassroom, startTestServer, type TestServer } from "./support/harness";
import { sql } from "./support/env";
import { memberRef, RedisKeys } from "../src/infra/redis/keys";
import { createLogger } from "../src/logger";
import { startServer } from "../src/server";

/** Heartbeat and presence in Redis; the reaper judged with explicit clocks (sweep(now)). */

let t: TestServer;
let T: string;
let S: string;
let S2: string;

const live = (cmd: string, token: string, fields: Record<string, unknown> = {}) => t.call("live", cmd, { ...C, token, ...fields });
const beat = (token: string, roomnum: unknown) => live("heartbeat", token, { roomnum });

async function livingClass(teacher = T, students: string[] = [S]): Promise<number> {
  const roomnum = (await live("create", teacher, { title: "class" })).body.data.roomnum as number;
  expect((await live("startcourse", teacher, { roomnum })).body.errorCode).toBe(0);
  for (const s of students) expect((await live("reportmemid", s, { roomnum, operate: 0 })).body.errorCode).toBe(0);
  return roomnum;
}

beforeAll(async () => {
  t = await startTestServer();
  ({ T, S, S2 } = await signUpClassroom(t));
});
afterAll(() => t.close());

describe("live.heartbeat", () => {
  test("teacher and student beats refresh presence in Redis", async () => {
    const roomnum = await livingClass();
    const before = Date.now();
    expect((await beat(T, roomnum)).body).toEqual({ errorCode: 0, errorInfo: "" });
    expect((await beat(S, String(roomnum))).body).toEqual({ errorCode: 0, errorInfo: "" });
    const r = t.server.redis;
    expect(Number(await r.get(RedisKeys.courseAlive(roomnum)))).toBeGreaterThanOrEqual(before);
    const [student] = await sql<{ uin: number }>(`SELECT uin FROM "Account" WHERE uid = 'student1'`);
    expect(Number(await r.zscore(RedisKeys.coursePresence(roomnum), String(student!.uin)))).toBeGreaterThanOrEqual(before);
    // The reaper's schedules are not touched by beats (it reschedules when an entry falls due).
    expect(Number(await r.zscore(RedisKeys.presentMembers("class"), memberRef(roomnum, student!.uin)))).toBeLessThan(before);
    expect(Number(await r.zscore(RedisKeys.livingCourses("class"), String(roomnum)))).toBeLessThan(before);
  });

  test.each([
    [{ roomnum: 99999 }, 10100, "get room info failed"],
    [{ roomnum: 0 }, 10100, "get room info failed"],
    [{ roomnum: "abc" }, 10003, "Invalid roomnum"],
    [{ roomnum: "10001abc" }, 10003, "Invalid roomnum"],
    [{ roomnum: [1] }, 10003, "Invalid roomnum"],
    [{ roomnum: 10001.5 }, 10003, "Invalid roomnum"],
    [{}, 10003, "Lack of roomnum"],
  ])("heartbeat %j → %i %s", async (fields, code, text) => {
    expect((await live("heartbeat", T, fields)).body).toEqual({ errorCode: code, errorInfo: text });
  });

  test("a bad token is refused", async () => {
    const roomnum = await livingClass();
    expect((await beat("not-a-token", roomnum)).body).toEqual({ errorCode: 10009, errorInfo: "Token expired" });
  });

  test("the hot path sends no SQL once warm", async () => {
    const roomnum = await livingClass();
    await beat(T, roomnum);
    await beat(S, roomnum);
    await new Promise((r) => setTimeout(r, 100)); // let any asynchronous write of earlier requests finish
    const before = t.sqlStatements.count;
    for (let i = 0; i < 30; i++) {
      const answers = await Promise.all([beat(T, roomnum), beat(S, roomnum), beat(S2, roomnum)]);
      for (const a of answers) expect(a.body.errorCode).toBe(0);
    }
    expect(t.sqlStatements.count).toBe(before);
    // The counter does count: any other command sends SQL.
    await live("roomlist", S, { index: 0, size: 1 });
    expect(t.sqlStatements.count).toBeGreaterThan(before);
  });

  test("beats of one class arriving together are each recorded with their own outcome", async () => {
    const students = await Promise.all(Array.from({ length: 12 }, (_, i) => signUp(t, `batch-s${i}`, 0)));
    const roomnum = await livingClass(T, students.slice(0, 10)); // s10, s11 never enter
    // s0 was dropped for silence: its beat brings it back; s1 left on purpose: stays out.
    const [s0] = await sql<{ uin: number }>(`SELECT uin FROM "Account" WHERE uid = 'batch-s0'`);
    await t.server.redis.zrem(RedisKeys.coursePresence(roomnum), String(s0!.uin));
    await t.server.redis.sadd(RedisKeys.courseDropped(roomnum), String(s0!.uin));
    await sql(`UPDATE "ClassMember" SET "leftAt" = now(), "leaveReason" = 'timeout' WHERE roomnum = $1 AND uin = $2`, [roomnum, s0!.uin]);
    await live("reportmemid", students[1]!, { roomnum, operate: 1 });
    const before = Date.now();
    const answers = await Promise.all([T, ...students].map((token) => beat(token, roomnum)));
    for (const a of answers) expect(a.body).toEqual({ errorCode: 0, errorInfo: "" });
    const scores = await t.server.redis.zrange(RedisKeys.coursePresence(roomnum), "0", "-1", "WITHSCORES");
    const uids = await sql<{ uin: number; uid: string }>(`SELECT uin, uid FROM "Account" WHERE uid LIKE 'batch-s%' OR uid = 'teacher1'`);
    const present = new Map<string, number>();
    for (let i = 0; i < scores.length; i += 2) present.set(uids.find((u) => String(u.uin) === scores[i])!.uid, Number(scores[i + 1]));
    expect([...present.keys()].sort()).toEqual(["batch-s0", ...Array.from({ length: 8 }, (_, i) => `batch-s${i + 2}`), "teacher1"].sort());
    for (const score of present.values()) expect(score).toBeGreaterThanOrEqual(before);
    expect(Number(await t.server.redis.get(RedisKeys.courseAlive(roomnum)))).toBeGreaterThanOrEqual(before);
    // s0's return reopened its stay (before the heartbeat answered).
    const stays = await sql<{ leaveReason: string | null }>(`SELECT "leaveReason" FROM "ClassMember" WHERE roomnum = $1 AND uin = $2 ORDER BY id`, [roomnum, s0!.uin]);
    expect(stays.map((x) => x.leaveReason)).toEqual(["timeout", null]);
    await live("exitroom", T, { roomnum });
  });

  test("beats of several classes in one turn share one script call: each class's on its own keys, each beat with its own outcome", async () => {
    const r = t.server.redis;
    const [classRoom, liveRoom, quietRoom] = [880001, 880002, 880003];
    for (const n of [classRoom, liveRoom, quietRoom]) {
      await r.del(RedisKeys.coursePresence(n), RedisKeys.courseDropped(n), RedisKeys.courseAlive(n), RedisKeys.courseRoles(n), RedisKeys.courseThumbup(n), RedisKeys.courseBeatRate(n));
    }
    // A class: its host and member 2 present, member 3 dropped for silence, member 4 never in it.
    await r.zadd(RedisKeys.coursePresence(classRoom), 1, "1", 1, "2");
    await r.sadd(RedisKeys.courseDropped(classRoom), "3");
    await r.set(RedisKeys.courseAlive(classRoom), 1);
    // A live room: its host (10) and a viewer (11); a class (20) whose host does not beat.
    await r.zadd(RedisKeys.coursePresence(liveRoom), 1, "10", 1, "11");
    await r.set(RedisKeys.courseAlive(liveRoom), 1);
    await r.set(RedisKeys.courseThumbup(liveRoom), 0);
    await r.zadd(RedisKeys.coursePresence(quietRoom), 1, "20", 1, "21");
    await r.set(RedisKeys.courseAlive(quietRoom), 1);
    const presenceKeys = [classRoom, liveRoom, quietRoom].map((n) => RedisKeys.coursePresence(n));
    const calls: string[][] = [];
    const raw = r as unknown as Redis; // the harness's standalone client
    const send = raw.sendCommand.bind(raw);
    raw.sendCommand = (command, stream) => {
      const keys = command.getKeys().map(String);
      if (keys.some((key) => presenceKeys.includes(key))) calls.push(keys);
      return send(command, stream);
    };
    const presence = t.server.services.presence;
    const classRef = { roomnum: classRoom, hostUin: 1, mode: "class" as const };
    const liveRef = { roomnum: liveRoom, hostUin: 10, mode: "live" as const };
    const quietRef = { roomnum: quietRoom, hostUin: 20, mode: "class" as const };
    const at = Date.now();
    let outcomes: string[];
    try {
      outcomes = await Promise.all([
        presence.beat(classRef, 1, at),
        presence.beat(liveRef, 11, at + 1, { role: 2, thumbup: 0 }),
        presence.beat(classRef, 2, at + 2),
        presence.beat(quietRef, 21, at + 3),
        presence.beat(classRef, 3, at + 4),
        presence.beat(liveRef, 10, at + 5, { role: 1, thumbup: 7 }),
        presence.beat(classRef, 4, at + 6),
      ]);
    } finally {
      raw.sendCommand = send;
    }
    expect(outcomes).toEqual(["present", "present", "present", "present", "revived", "present", "absent"]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual(expect.arrayContaining(presenceKeys));
    const scores = async (n: number) => {
      const flat = await r.zrange(RedisKeys.coursePresence(n), "0", "-1", "WITHSCORES");
      return Object.fromEntries(flat.flatMap((uin, i) => (i % 2 === 0 ? [[uin, Number(flat[i + 1])]] : [])));
    };
    expect(await scores(classRoom)).toEqual({ "1": at, "2": at + 2, "3": at + 4 });
    expect(await scores(liveRoom)).toEqual({ "10": at + 5, "11": at + 1 });
    expect(await scores(quietRoom)).toEqual({ "20": 1, "21": at + 3 });
    expect(await r.smembers(RedisKeys.courseDropped(classRoom))).toEqual([]);
    // Hosts' beats keep their own class alive; a live host's beat also says the thumbs-up count; a live member's, its role.
    expect(await Promise.all([classRoom, liveRoom, quietRoom].map((n) => r.get(RedisKeys.courseAlive(n))))).toEqual([String(at), String(at + 5), "1"]);
    expect(await r.get(RedisKeys.courseThumbup(liveRoom))).toBe("7");
    expect(await r.hgetall(RedisKeys.courseRoles(liveRoom))).toEqual({ "10": "1", "11": "2" });
    expect(await r.hgetall(RedisKeys.courseRoles(classRoom))).toEqual({});
  });

  test("a beat from a non-member does not make it present", async () => {
    const roomnum = await livingClass(T, []);
    expect((await beat(S2, roomnum)).body.errorCode).toBe(0);
    expect((await live("roomidlist", T, { roomnum, index: 0, size: 10 })).body.data.total).toBe(1);
  });
});

describe("reaper", () => {
  const sweep = (now: number) => t.server.reaper.sweep(now);
  const minutes = (n: number) => Date.now() + n * 60000;

  // A fresh Redis has no presence epoch yet: the first sweep builds it and judges nothing.
  beforeAll(async () => {
    await sweep(Date.now());
  });

  test("ends a class whose teacher is silent longer than the timeout, exactly like exitroom", async () => {
    const roomnum = await livingClass(T, [S, S2]);
    await sweep(Date.now()); // nothing due yet
    expect((await sql<{ state: number }>(`SELECT state FROM "Course" WHERE roomnum = $1`, [roomnum]))[0]!.state).toBe(1);
    const result = await sweep(minutes(5) + 1000);
    expect(result.classesEnded).toBeGreaterThanOrEqual(1);
    const [course] = await sql<{ state: number; endReason: string; endImSeq: number; replayIndexDueAt: Date | null; endedAt: Date }>(
      `SELECT state, "endReason", "endImSeq", "replayIndexDueAt", "endedAt" FROM "Course" WHERE roomnum = $1`,
      [roomnum],
    );
    const ends = t.im.messages.filter((m) => m.data.type === 1002 && m.groupId === String(roomnum));
    expect(ends).toHaveLength(1);
    expect(ends[0]!.data.value).toEqual({ uid: "teacher1" });
    expect(course).toMatchObject({ state: 2, endReason: "timeout", endImSeq: ends[0]!.msgSeq });
    expect(course!.replayIndexDueAt!.getTime() - course!.endedAt.getTime()).toBe(300000);
    const open = await sql(`SELECT 1 FROM "ClassMember" WHERE roomnum = $1 AND "leftAt" IS NULL`, [roomnum]);
    expect(open).toHaveLength(0);
    expect(await t.server.redis.exists(RedisKeys.coursePresence(roomnum))).toBe(0);
    expect(await t.server.redis.zscore(RedisKeys.livingCourses("class"), String(roomnum))).toBeNull();
  });

  test("a class whose teacher beats is not ended", async () => {
    const roomnum = await livingClass();
    // The class started 10 minutes ago, as the reaper knows it: without a beat since, it is due and silent.
    await t.server.redis.set(RedisKeys.courseAlive(roomnum), String(minutes(-10)));
    await t.server.redis.zadd(RedisKeys.livingCourses("class"), minutes(-10), String(roomnum));
    // Judged 4 minutes from now, the teacher's beat of now is within the 5-minute timeout.
    await beat(T, roomnum);
    const result = await sweep(minutes(4));
    expect(result.endedRoomnums).not.toContain(roomnum);
    expect((await sql<{ state: number }>(`SELECT state FROM "Course" WHERE roomnum = $1`, [roomnum]))[0]!.state).toBe(1);
    await live("exitroom", T, { roomnum });
  });

  test("a class and a member that fall due but beat meanwhile are rescheduled, not ended or dropped", async () => {
    const roomnum = await livingClass(T, [S]);
    const [student] = await sql<{ uin: number }>(`SELECT uin FROM "Account" WHERE uid = 'student1'`);
    const r = t.server.redis;
    // Beats the schedules have not seen, 5 min from now; judged 6 min from now, both schedule
    // entries are due (5 min and 2 min after the start) but neither is silent.
    await r.set(RedisKeys.courseAlive(roomnum), String(minutes(5)));
    await r.zadd(RedisKeys.coursePresence(roomnum), minutes(5), String(student!.uin));
    const result = await sweep(minutes(6));
    expect(result.endedRoomnums).not.toContain(roomnum);
    expect(await r.zscore(RedisKeys.coursePresence(roomnum), String(student!.uin))).not.toBeNull();
    expect((await sql<{ state: number }>(`SELECT state FROM "Course" WHERE roomnum = $1`, [roomnum]))[0]!.state).toBe(1);
    expect(Number(await r.zscore(RedisKeys.livingCourses("class"), String(roomnum)))).toBe(Number(await r.get(RedisKeys.courseAlive(roomnum))));
    expect(Number(await r.zscore(RedisKeys.presentMembers("class"), memberRef(roomnum, student!.uin)))).toBe(
      Number(await r.zscore(RedisKeys.coursePresence(roomnum), String(student!.uin))),
    );
    await live("exitroom", T, { roomnum });
  });

  test("drops silent students (not the teacher); the history keeps the interval; a beat brings them back", async () => {
    const roomnum = await livingClass(T, [S, S2]);
    const later = minutes(3); // students silent 3 min > 120 s; teacher 3 min < 300 s
    // student2 beats "late enough" to stay: fake its beat at `later - 10 s` in Redis
    const [s2] = await sql<{ uin: number }>(`SELECT uin FROM "Account" WHERE uid = 'student2'`);
    await t.server.redis.zadd(RedisKeys.coursePresence(roomnum), later - 10000, String(s2!.uin));
    await t.server.redis.zadd(RedisKeys.presentMembers("class"), later - 10000, memberRef(roomnum, s2!.uin));
    await sweep(later);
    const history = await sql<{ uid: string; leaveReason: string | null; leftAt: Date | null }>(
      `SELECT a.uid, m."leaveReason", m."leftAt" FROM "ClassMember" m JOIN "Account" a ON a.uin = m.uin WHERE roomnum = $1 ORDER BY m.id`,
      [roomnum],
    );
    expect(history.map((h) => [h.uid, h.leaveReason])).toEqual([
      ["teacher1", null],
      ["student1", "timeout"],
      ["student2", null],
    ]);
    const list = await live("roomidlist", T, { roomnum, index: 0, size: 10 });
    expect(list.body.data.idlist.map((m: { id: string }) => m.id)).toEqual(["teacher1", "student2"]);
    // B10: a dropped member's beat brings it back, with a new interval.
    expect((await beat(S, roomnum)).body.errorCode).toBe(0);
    const again = await live("roomidlist", T, { roomnum, index: 0, size: 10 });
    expect(again.body.data.idlist.map((m: { id: string }) => m.id)).toEqual(["teacher1", "student1", "student2"]);
    const stays = await sql<{ leaveReason: string | null }>(
      `SELECT m."leaveReason" FROM "ClassMember" m JOIN "Account" a ON a.uin = m.uin WHERE roomnum = $1 AND a.uid = 'student1' ORDER BY m.id`,
      [roomnum],
    );
    expect(stays.map((s) => s.leaveReason)).toEqual(["timeout", null]);
    await live("exitroom", T, { roomnum });
  });

  test("one who left on purpose is not brought back by a beat", async () => {
    const roomnum = await livingClass(T, [S]);
    await live("reportmemid", S, { roomnum, operate: 1 });
    await beat(S, roomnum);
    const list = await live("roomidlist", T, { roomnum, index: 0, size: 10 });
    expect(list.body.data.idlist.map((m: { id: string }) => m.id)).toEqual(["teacher1"]);
    await live("exitroom", T, { roomnum });
  });

  test("when IM is down the class stays living and is ended once IM is back, not before the retry delay (10 s)", async () => {
    const roomnum = await livingClass();
    const stateOf = async () => (await sql<{ state: number }>(`SELECT state FROM "Course" WHERE roomnum = $1`, [roomnum]))[0]!.state;
    const at = minutes(6);
    t.im.mode = "down";
    try {
      const failed = await sweep(at);
      expect(failed.failures).toBeGreaterThanOrEqual(1);
      expect(await stateOf()).toBe(1);
    } finally {
      t.im.mode = "ok";
    }
    // IM is back, but a failed end is not tried again before the retry delay.
    await sweep(at + 9000);
    expect(await stateOf()).toBe(1);
    // Retried once the retry delay has passed.
    await sweep(at + 11000);
    expect(await stateOf()).toBe(2);
    expect(t.im.messages.filter((m) => m.data.type === 1002 && m.groupId === String(roomnum))).toHaveLength(1);
  });

  test("a living class whose teacher's last beat Redis lost is judged from now on, and ended a full timeout later", async () => {
    const roomnum = await livingClass(T, []);
    const r = t.server.redis;
    await r.del(RedisKeys.courseAlive(roomnum));
    const at = minutes(6);
    // Due on the schedule, but nothing says the teacher is silent: its clock starts now.
    expect((await sweep(at)).endedRoomnums).not.toContain(roomnum);
    expect(Number(await r.get(RedisKeys.courseAlive(roomnum)))).toBe(at);
    expect(Number(await r.zscore(RedisKeys.livingCourses("class"), String(roomnum)))).toBe(at);
    // Beats only refresh an existing clock (SET XX): without the restart the class would never end.
    expect((await sweep(at + 5 * 60000 - 1000)).endedRoomnums).not.toContain(roomnum);
    expect((await sweep(at + 5 * 60000 + 1000)).endedRoomnums).toContain(roomnum);
    expect((await sql<{ state: number; endReason: string }>(`SELECT state, "endReason" FROM "Course" WHERE roomnum = $1`, [roomnum]))[0]).toEqual({ state: 2, endReason: "timeout" });
  });

  test("an end whose course lock expired meanwhile: the class is ended once, by whichever writes first", async () => {
    const roomnum = await livingClass(T, []);
    // The teacher's end is slowed in IM; its lock is lost meanwhile (a stalled holder), and the reaper ends the class too.
    t.im.delayMs = 600;
    try {
      const teacherEnd = live("exitroom", T, { roomnum });
      for (let i = 0; i < 100 && (await t.server.redis.exists(RedisKeys.courseLock(roomnum))) === 0; i++) await new Promise((r) => setTimeout(r, 10));
      await t.server.redis.del(RedisKeys.courseLock(roomnum));
      const [answer, swept] = await Promise.all([teacherEnd, sweep(minutes(6))]);
      const byTeacher = answer.body.errorCode === 0;
      const byReaper = swept.endedRoomnums.includes(roomnum);
      expect({ byTeacher, byReaper }).toEqual(byTeacher ? { byTeacher: true, byReaper: false } : { byTeacher: false, byReaper: true });
      if (!byTeacher) expect(answer.body).toEqual({ errorCode: 10102, errorInfo: "only state=living room can exit" });
      const [course] = await sql<{ endReason: string; memberVersion: number }>(`SELECT "endReason", "memberVersion" FROM "Course" WHERE roomnum = $1`, [roomnum]);
      expect(course!.endReason).toBe(byTeacher ? "teacher" : "timeout");
      // Started (1), ended once (2): not ended a second time.
      expect(course!.memberVersion).toBe(2);
      // Both posted the same pending marker, which IM kept once.
      expect(t.im.messages.filter((m) => m.data.type === 1002 && m.groupId === String(roomnum))).toHaveLength(1);
    } finally {
      t.im.delayMs = 0;
    }
  });

  test("two reaper instances racing over 200 expired classes end each exactly once", async () => {
    const second = await startServer(t.server.config, { log: createLogger("silent") });
    try {
      const teachers = await Promise.all(Array.from({ length: 4 }, (_, i) => signUp(t, `race-t${i}`, 1)));
      const rooms: number[] = [];
      for (let i = 0; i < 200; i += 20) {
        rooms.push(...(await Promise.all(Array.from({ length: 20 }, (_, j) => livingClass(teachers[(i + j) % 4], [])))));
      }
      // Each instance's sweeps say which rooms they ended; rooms of earlier tests may end too (an end
      // that IM refused under load is retried), so only these 200 are counted. Each round is 11 s
      // later, so that an end retried after a failed marker (10 s) falls due.
      const endedBy = [new Set<number>(), new Set<number>()];
      const start = minutes(10);
      // Rounds until every room ended (a busy machine may make IM time out, and a failed end waits 10 s), at most 20.
      for (let round = 0; round < 20 && endedBy[0]!.size + endedBy[1]!.size < 200; round++) {
        const results = await Promise.all([t.server.reaper.sweep(start + round * 11000), second.reaper.sweep(start + round * 11000)]);
        results.forEach((result, i) => result.endedRoomnums.filter((roomnum) => rooms.includes(roomnum)).forEach((roomnum) => endedBy[i]!.add(roomnum)));
      }
      expect(endedBy[0]!.size + endedBy[1]!.size).toBe(200); // none ended by both
      expect(new Set([...endedBy[0]!, ...endedBy[1]!]).size).toBe(200);
      const ends = t.im.messages.filter((m) => m.data.type === 1002 && rooms.includes(Number(m.groupId)));
      expect(ends).toHaveLength(200);
      expect(new Set(ends.map((m) => m.groupId)).size).toBe(200);
      const states = await sql<{ n: string }>(`SELECT count(*) AS n FROM "Course" WHERE roomnum = ANY($1) AND state = 2 AND "endReason" = 'timeout'`, [rooms]);
      expect(Number(states[0]!.n)).toBe(200);
    } finally {
      await second.close();
    }
  });

  test("after Redis loses presence, nothing ends before a full timeout from when Redis is seen again", async () => {
    const roomnum = await livingClass(T, [S]);
    await t.server.redis.flushdb();
    const seenAgain = Date.now();
    const first = await sweep(seenAgain);
    expect(first.rebuilt).toBe(true);
    // Judged 4 minutes after the loss: teacher (5 min) not yet silent; the student (2 min) is.
    const r1 = await sweep(seenAgain + 4 * 60000);
    expect(r1.endedRoomnums).not.toContain(roomnum);
    expect((await sql<{ state: number }>(`SELECT state FROM "Course" WHERE roomnum = $1`, [roomnum]))[0]!.state).toBe(1);
    const stays = await sql<{ uid: string; leaveReason: string | null }>(
      `SELECT a.uid, m."leaveReason" FROM "ClassMember" m JOIN "Account" a ON a.uin = m.uin WHERE roomnum = $1 ORDER BY m.id`,
      [roomnum],
    );
    expect(stays.map((stay) => [stay.uid, stay.leaveReason])).toEqual([
      ["teacher1", null],
      ["student1", "timeout"],
    ]);
    // Only a full teacher timeout after Redis came back is the class ended.
    const r2 = await sweep(seenAgain + 5 * 60000 + 1000);
    expect(r2.endedRoomnums).toContain(roomnum);
    // Tokens still work after the loss (served from PostgreSQL).
    expect((await live("roomlist", T, { index: 0, size: 1 })).body.errorCode).toBe(0);
  });

  test("after Redis loses presence a beating teacher keeps the class", async () => {
    const roomnum = await livingClass(T, [S]);
    await t.server.redis.flushdb();
    await sweep(Date.now()); // rebuild
    await beat(T, roomnum);
    await beat(S, roomnum);
    expect(await t.server.redis.zscore(RedisKeys.livingCourses("class"), String(roomnum))).not.toBeNull();
    const list = await live("roomidlist", T, { roomnum, index: 0, size: 10 });
    expect(list.body.data.total).toBe(2);
    await live("exitroom", T, { roomnum });
  });
});

describe("reaper running in the server", () => {
  // Wall-clock bounds on when the class ends would flake on a loaded machine; what is
  // asserted is the rule: alive while the teacher beats, ended by the server's own timer
  // once silent, and never before a full timeout after the last beat the server recorded.
  test("ends a class once its teacher stops beating, never while it beats nor before the timeout", async () => {
    const TIMEOUT_S = 5; // a stall of a busy machine while it beats (every 200 ms) stays far below it
    const fast = await startTestServer({ REAPER_ENABLED: "true", TEACHER_TIMEOUT_S: String(TIMEOUT_S), MEMBER_TIMEOUT_S: String(TIMEOUT_S), REAPER_INTERVAL_MS: "200" });
    try {
      const teacher = await signUp(fast, "rt", 1);
      const student = await signUp(fast, "rs", 0);
      const roomnum = (await fast.call("live", "create", { ...C, token: teacher, title: "x" })).body.data.roomnum;
      await fast.call("live", "startcourse", { ...C, token: teacher, roomnum });
      await fast.call("live", "reportmemid", { ...C, token: student, roomnum, operate: 0 });
      const course = async () =>
        (await sql<{ state: number; endedAt: Date | null; endReason: string | null }>(`SELECT state, "endedAt", "endReason" FROM "Course" WHERE roomnum = $1`, [roomnum]))[0]!;
      // Beat for longer than the timeout: the class lives, the student too.
      const beatUntil = Date.now() + (TIMEOUT_S + 1) * 1000;
      while (Date.now() < beatUntil) {
        await fast.call("live", "heartbeat", { ...C, token: teacher, roomnum });
        await fast.call("live", "heartbeat", { ...C, token: student, roomnum });
        await new Promise((r) => setTimeout(r, 200));
      }
      const lastBeat = Number(await fast.server.redis.get(RedisKeys.courseAlive(roomnum)));
      expect((await course()).state).toBe(1);
      expect((await fast.call("live", "roomidlist", { ...C, token: teacher, roomnum, index: 0, size: 10 })).body.data.total).toBe(2);
      // Silent from now on: the server's reaper ends the class by itself.
      const giveUpAt = Date.now() + 30000;
      while ((await course()).state === 1 && Date.now() < giveUpAt) await new Promise((r) => setTimeout(r, 100));
      const ended = await course();
      expect(ended).toMatchObject({ state: 2, endReason: "timeout" });
      // Course times are whole seconds: the end is at the earliest the second of lastBeat + timeout.
      expect(ended.endedAt!.getTime()).toBeGreaterThanOrEqual(Math.floor((lastBeat + TIMEOUT_S * 1000) / 1000) * 1000);
    } finally {
      await fast.close();
    }
  });
});
