import { Redis } from "ioredis";
import { startTencentEmulator, type TencentEmulator } from "../src/emulator";
import { RedisKeys } from "../src/infra/redis/keys";
import { recordingFileEvent } from "./support/callbacks";
import { send } from "./support/connections";
import { OTHER_APP, resetStores, sql, TEST_APP, TEST_CALLBACK_KEY, TEST_CLOUD, testRedisUrl } from "./support/env";
import { type ServerProcess, startServerProcess } from "./support/processes";

/**
 * Several instances behind a load balancer, as production runs them: two built servers, each a process of its
 * own on its own port, sharing this worker's PostgreSQL database and Redis db, both calling one Tencent emulator
 * (in the jest process, so the test sees everything Tencent received). A client's requests land on either.
 * Nothing here is a speed assertion: conditions are polled with generous bounds; the one clock the test reads is
 * the requirement's ("a logout on one instance takes effect on every instance within 2 s").
 */

/** The requirement: a logout (or a new login) on one instance takes effect on every instance within this long. */
const REVOCATION_WITHIN_MS = 2000;
/** Added to it for the refusal's answer to reach the test on a busy machine (one poll's round trip and pacing). */
const BUSY_MACHINE_MARGIN_MS = 3000;
/** Bounds against hangs only (a busy machine is slow): never a speed assertion. */
const POLL_WITHIN_MS = 30000;
const SLOW = 120000;

const COMMON = { appid: TEST_APP.sdkAppId, timeStamp: 12345 };
const PASSWORD = "cGFzc3dvcmQ=";
const TOKEN_EXPIRED = { errorCode: 10009, errorInfo: "Token expired" };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary data
type Envelope = { errorCode: number; errorInfo: string; data?: any };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** POST …/index.php?svc&cmd to one instance; the HTTP status must be 200 (the protocol answers in its envelope). */
async function call(server: ServerProcess, svc: string, cmd: string, body: Record<string, unknown>): Promise<Envelope> {
  const answer = await send(`${server.url}/index.php?svc=${svc}&cmd=${cmd}`, { body });
  if (answer.status !== 200) throw new Error(`${svc}.${cmd} on ${server.url}: HTTP ${answer.status} ${answer.text}`);
  return JSON.parse(answer.text) as Envelope;
}

const live = (server: ServerProcess, cmd: string, token: string, fields: Record<string, unknown> = {}) => call(server, "live", cmd, { ...COMMON, token, ...fields });

async function register(server: ServerProcess, id: string, role: 0 | 1): Promise<void> {
  expect(await call(server, "account", "regist", { ...COMMON, id, pwd: PASSWORD, role })).toEqual({ errorCode: 0, errorInfo: "" });
}

async function login(server: ServerProcess, id: string): Promise<string> {
  const answer = await call(server, "account", "login", { ...COMMON, id, pwd: PASSWORD });
  expect(answer.errorCode).toBe(0);
  return answer.data.token as string;
}

/** Polls until `check` gives a value (not undefined), bounded; the bound's error says what was awaited. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, withinMs = POLL_WITHIN_MS): Promise<T> {
  const giveUpAt = Date.now() + withinMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > giveUpAt) throw new Error(`not within ${withinMs} ms: ${what}`);
    await sleep(50);
  }
}

/** Two instances started at once (they migrate and come up concurrently, as a rollout does); neither left running if one fails. */
async function startPair(tencent: TencentEmulator, env: Record<string, string> = {}): Promise<[ServerProcess, ServerProcess]> {
  const started = await Promise.allSettled([startServerProcess({ tencent, env }), startServerProcess({ tencent, env })]);
  const servers = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failed = started.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed) {
    await stopAll(servers);
    throw failed.reason;
  }
  return [servers[0]!, servers[1]!];
}

/** Stops every process (each one's exit awaited, even when another's stop fails); each must have exited cleanly. */
async function stopAll(servers: readonly (ServerProcess | undefined)[]): Promise<void> {
  const stopped = await Promise.allSettled(servers.flatMap((server) => (server ? [server.stop()] : [])));
  for (const result of stopped) {
    if (result.status === "rejected") throw result.reason;
    expect(result.value).toMatchObject({ code: 0, signal: null });
  }
}

async function startEmulator(): Promise<TencentEmulator> {
  return startTencentEmulator({ apps: [TEST_APP, OTHER_APP], cloud: TEST_CLOUD });
}

/** Class markers IM received for a room, of one type (1001 start, 1002 end, 1003 entered, 1004 recording). */
function markersOf(tencent: TencentEmulator, roomnum: number, type: number): Array<{ msgSeq: number; random: number }> {
  return tencent.im.received
    .filter((m) => m.groupId === String(roomnum) && (JSON.parse(String(m.msgBody[0]?.MsgContent.Data)) as { type: number }).type === type)
    .map((m) => ({ msgSeq: m.msgSeq, random: m.random }));
}

/** What runs at Tencent's videorelay for a room: its recordings' and pushes' keys ("sdkappid:room:user:stream"). */
function runningAtTencent(tencent: TencentEmulator, roomnum: number): string[] {
  const prefix = `${TEST_APP.sdkAppId}:${roomnum}:`;
  return [...tencent.videorelay.recordings.keys(), ...tencent.videorelay.pushes.keys()].filter((key) => key.startsWith(prefix));
}

/** A class the teacher creates on one instance and starts on the other. */
async function livingClass(createOn: ServerProcess, startOn: ServerProcess, teacher: string, title: string): Promise<number> {
  const created = await live(createOn, "create", teacher, { title });
  expect(created.errorCode).toBe(0);
  const roomnum = created.data.roomnum as number;
  expect(await live(startOn, "startcourse", teacher, { roomnum })).toEqual({ errorCode: 0, errorInfo: "" });
  return roomnum;
}

const memberIds = async (server: ServerProcess, token: string, roomnum: number) => {
  const answer = await live(server, "roomidlist", token, { roomnum, index: 0, size: 20 });
  expect(answer.errorCode).toBe(0);
  return (answer.data.idlist as Array<{ id: string }>).map((member) => member.id);
};

const courseRows = (roomnums: readonly number[]) =>
  sql<{ roomnum: number; state: number; endReason: string | null; replayIndexStatus: string | null }>(
    `SELECT roomnum, state, "endReason", "replayIndexStatus" FROM "Course" WHERE roomnum = ANY($1::int[]) ORDER BY roomnum`,
    [roomnums],
  );

const stays = (roomnum: number) =>
  sql<{ uid: string; leaveReason: string | null }>(
    `SELECT a.uid, m."leaveReason" FROM "ClassMember" m JOIN "Account" a ON a.uin = m.uin WHERE m.roomnum = $1 ORDER BY m.id`,
    [roomnum],
  );

interface Poll {
  sentAt: number;
  answeredAt: number;
  accepted: boolean;
  answer: Envelope;
}

/**
 * Polls one instance with a token until it is refused, each poll a heartbeat (the hot path, which may trust a
 * token for a moment) and a member list read (a token command off the hot path), side by side. Returns every
 * poll, in the order sent.
 */
async function pollUntilRefused(server: ServerProcess, token: string, roomnum: number): Promise<{ heartbeat: Poll[]; roomidlist: Poll[] }> {
  const polls = { heartbeat: [] as Poll[], roomidlist: [] as Poll[] };
  const poll = async (kind: keyof typeof polls, fields: Record<string, unknown>) => {
    if (polls[kind].at(-1)?.accepted === false) return;
    const sentAt = Date.now();
    const answer = await live(server, kind, token, { roomnum, ...fields });
    polls[kind].push({ sentAt, answeredAt: Date.now(), accepted: answer.errorCode === 0, answer });
  };
  const giveUpAt = Date.now() + POLL_WITHIN_MS;
  while (polls.heartbeat.at(-1)?.accepted !== false || polls.roomidlist.at(-1)?.accepted !== false) {
    if (Date.now() > giveUpAt) throw new Error(`the token was still accepted after ${POLL_WITHIN_MS} ms: ${JSON.stringify(polls)}`);
    await Promise.all([poll("heartbeat", {}), poll("roomidlist", { index: 0, size: 20 })]);
    await sleep(20);
  }
  return polls;
}

/**
 * The requirement on the polls made after a logout answered at `revokedAt`: no request sent 2 s after it was
 * accepted (an instance that accepts a token does so after the request was sent: no margin is needed); the
 * refusal reached the test within 2 s plus a margin for a busy machine; once refused, the token stays refused.
 */
function expectRevokedWithinWindow(polls: Poll[], revokedAt: number): void {
  const refused = polls.findIndex((p) => !p.accepted);
  expect(refused).toBeGreaterThanOrEqual(0);
  expect(polls[refused]!.answer).toEqual(TOKEN_EXPIRED);
  const lateAccepted = polls.filter((p) => p.accepted && p.sentAt >= revokedAt + REVOCATION_WITHIN_MS);
  expect(lateAccepted).toEqual([]);
  expect(polls[refused]!.answeredAt - revokedAt).toBeLessThanOrEqual(REVOCATION_WITHIN_MS + BUSY_MACHINE_MARGIN_MS);
  expect(polls.slice(refused).every((p) => !p.accepted)).toBe(true);
}

/** Stops both instances, then checks that IM refused nothing they sent, and stops the emulator. */
async function stopPair(pair: Array<ServerProcess | undefined>, tencent: TencentEmulator | undefined): Promise<void> {
  try {
    await stopAll(pair);
    expect(tencent?.im.rejected).toEqual([]);
  } finally {
    await tencent?.close();
  }
}

describe("two server processes", () => {
  describe("sharing PostgreSQL and Redis: sessions, members, recording callbacks and relays across both", () => {
    let tencent: TencentEmulator;
    let a: ServerProcess | undefined;
    let b: ServerProcess | undefined;
    let A: ServerProcess;
    let B: ServerProcess;
    let T: string;

    beforeAll(async () => {
      await resetStores();
      tencent = await startEmulator();
      [A, B] = [a, b] = await startPair(tencent);
      expect(A.url).not.toBe(B.url);
      await register(A, "teacher1", 1);
      T = await login(A, "teacher1");
    }, SLOW);

    afterAll(() => stopPair([a, b], tencent), SLOW);

    test("login on one; enter, heartbeats and leave on the other; the member list is the same read on either", async () => {
      await register(B, "student1", 0);
      await register(B, "student2", 0);
      const S1 = await login(A, "student1");
      const S2 = await login(A, "student2");
      const roomnum = await livingClass(A, B, T, "across two instances");

      for (const token of [S1, S2]) expect(await live(B, "reportmemid", token, { roomnum, operate: 0 })).toEqual({ errorCode: 0, errorInfo: "" });
      const beforeBeats = Date.now();
      for (const token of [T, S1, S2]) expect(await live(B, "heartbeat", token, { roomnum })).toEqual({ errorCode: 0, errorInfo: "" });
      const redis = new Redis(testRedisUrl());
      try {
        const beats = await redis.zrange(RedisKeys.coursePresence(roomnum), "0", "-1", "WITHSCORES");
        expect(beats).toHaveLength(6);
        for (let i = 1; i < beats.length; i += 2) expect(Number(beats[i])).toBeGreaterThanOrEqual(beforeBeats);
      } finally {
        redis.disconnect();
      }
      expect(await memberIds(A, S1, roomnum)).toEqual(["teacher1", "student1", "student2"]);
      expect(await memberIds(B, S2, roomnum)).toEqual(["teacher1", "student1", "student2"]);

      // Leaves on one, comes back on the other: each instance sees it at once.
      expect(await live(B, "reportmemid", S2, { roomnum, operate: 1 })).toEqual({ errorCode: 0, errorInfo: "" });
      expect(await memberIds(A, T, roomnum)).toEqual(["teacher1", "student1"]);
      expect(await live(A, "reportmemid", S2, { roomnum, operate: 0 })).toEqual({ errorCode: 0, errorInfo: "" });
      expect(await memberIds(B, T, roomnum)).toEqual(["teacher1", "student1", "student2"]);
      expect(markersOf(tencent, roomnum, 1003)).toHaveLength(3);

      // Ended on one: the other, whose memory holds the class's facts since its beats, counts no one present any more.
      expect(await live(A, "exitroom", T, { roomnum })).toEqual({ errorCode: 0, errorInfo: "" });
      await live(B, "heartbeat", S1, { roomnum });
      const redisAfter = new Redis(testRedisUrl());
      try {
        expect(await redisAfter.exists(RedisKeys.coursePresence(roomnum))).toBe(0);
      } finally {
        redisAfter.disconnect();
      }
      expect(await stays(roomnum)).toEqual([
        { uid: "teacher1", leaveReason: "class_ended" },
        { uid: "student1", leaveReason: "class_ended" },
        { uid: "student2", leaveReason: "left" },
        { uid: "student2", leaveReason: "class_ended" },
      ]);
      expect(markersOf(tencent, roomnum, 1002)).toHaveLength(1);
    });

    test(`a logout on one instance takes effect on the other within ${REVOCATION_WITHIN_MS} ms (heartbeats and other token commands); a new login's token works there at once`, async () => {
      await register(A, "student3", 0);
      const roomnum = await livingClass(B, A, T, "logout elsewhere");
      const token = await login(A, "student3");
      expect(await live(B, "reportmemid", token, { roomnum, operate: 0 })).toEqual({ errorCode: 0, errorInfo: "" });
      // B has just checked the token (its beat may trust it for a moment): the logout on A follows at once.
      expect(await live(B, "heartbeat", token, { roomnum })).toEqual({ errorCode: 0, errorInfo: "" });
      expect(await call(A, "account", "logout", { ...COMMON, token })).toEqual({ errorCode: 0, errorInfo: "" });
      const loggedOutAt = Date.now();
      const polls = await pollUntilRefused(B, token, roomnum);
      expectRevokedWithinWindow(polls.heartbeat, loggedOutAt);
      expectRevokedWithinWindow(polls.roomidlist, loggedOutAt);

      const next = await login(A, "student3");
      expect(await live(B, "heartbeat", next, { roomnum })).toEqual({ errorCode: 0, errorInfo: "" });
      expect(await memberIds(B, next, roomnum)).toContain("student3");
    });

    test(`a new login on one instance ends the old token on the other within ${REVOCATION_WITHIN_MS} ms`, async () => {
      await register(B, "student4", 0);
      const roomnum = await livingClass(A, B, T, "login elsewhere");
      const old = await login(B, "student4");
      expect(await live(A, "reportmemid", old, { roomnum, operate: 0 })).toEqual({ errorCode: 0, errorInfo: "" });
      expect(await live(A, "heartbeat", old, { roomnum })).toEqual({ errorCode: 0, errorInfo: "" });
      const next = await login(B, "student4");
      const loggedInAt = Date.now();
      const polls = await pollUntilRefused(A, old, roomnum);
      expectRevokedWithinWindow(polls.heartbeat, loggedInAt);
      expectRevokedWithinWindow(polls.roomidlist, loggedInAt);
      expect(await live(A, "heartbeat", next, { roomnum })).toEqual({ errorCode: 0, errorInfo: "" });
    });

    test("Tencent's recording callback for one file, delivered to both at once many times: one VideoRecord row, one 1004 marker", async () => {
      const roomnum = await livingClass(B, A, T, "recorded on both");
      const event = recordingFileEvent(roomnum, "teacher1", TEST_CALLBACK_KEY);
      const DELIVERIES_EACH = 8;
      tencent.delayMs = 100; // a slow IM widens the window between the check for the file and its marker
      let answers: string[];
      try {
        const deliveries = [A, B].flatMap((server) => Array.from({ length: DELIVERIES_EACH }, () => send(`${server.url}/index.php?svc=live&cmd=reccall`, { body: event })));
        answers = (await Promise.all(deliveries)).map((answer) => `${answer.status} ${answer.text}`);
      } finally {
        tencent.delayMs = 0;
      }
      expect(answers).toEqual(Array(2 * DELIVERIES_EACH).fill('200 {"code":0}'));
      const rows = await sql<{ roomnum: number; imSeq: number }>(`SELECT roomnum, "imSeq" FROM "VideoRecord" WHERE "fileId" = $1`, [event.file_id]);
      const markers = markersOf(tencent, roomnum, 1004);
      expect(markers).toHaveLength(1);
      expect(rows).toEqual([{ roomnum, imSeq: markers[0]!.msgSeq }]);
      const [course] = await sql<{ lastRecImSeq: number }>(`SELECT "lastRecImSeq" FROM "Course" WHERE roomnum = $1`, [roomnum]);
      expect(course!.lastRecImSeq).toBe(markers[0]!.msgSeq);
    });

    test("server-side recording and relay push started through one instance are stopped by the class's end through the other: nothing runs at Tencent", async () => {
      const roomnum = await livingClass(A, B, T, "relayed across");
      const recording = await live(A, "startrecord", T, { roomnum });
      expect(recording.errorCode).toBe(0);
      expect((await live(A, "startpush", T, { roomnum })).errorCode).toBe(0);
      expect(tencent.videorelay.recordings.has(`${TEST_APP.sdkAppId}:${roomnum}:teacher1:0`)).toBe(true);
      expect(tencent.videorelay.pushes.has(`${TEST_APP.sdkAppId}:${roomnum}:teacher1:0`)).toBe(true);

      expect(await live(B, "exitroom", T, { roomnum })).toEqual({ errorCode: 0, errorInfo: "" });
      expect(runningAtTencent(tencent, roomnum)).toEqual([]);
      const recordings = await sql<{ fileName: string; stopped: boolean }>(`SELECT "fileName", "stoppedAt" IS NOT NULL AS stopped FROM "Recording" WHERE roomnum = $1`, [roomnum]);
      expect(recordings).toEqual([{ fileName: recording.data.file_name, stopped: true }]);
      expect(await sql(`SELECT "stoppedAt" IS NOT NULL AS stopped FROM "LivePush" WHERE roomnum = $1`, [roomnum])).toEqual([{ stopped: true }]);
      expect(await courseRows([roomnum])).toMatchObject([{ state: 2, endReason: "teacher" }]);
      expect(markersOf(tencent, roomnum, 1002)).toHaveLength(1);
    });
  });

  describe("with their reapers and replay index schedulers running", () => {
    const CLASSES = 4;
    const STUDENTS = ["student1", "student2"];
    let tencent: TencentEmulator;
    let a: ServerProcess | undefined;
    let b: ServerProcess | undefined;
    let A: ServerProcess;
    let B: ServerProcess;

    beforeAll(async () => {
      await resetStores();
      tencent = await startEmulator();
      [A, B] = [a, b] = await startPair(tencent, {
        REAPER_ENABLED: "true",
        REAPER_INTERVAL_MS: "200",
        TEACHER_TIMEOUT_S: "6", // the keeper beats every 150 ms: a stall of either process stays far below it
        MEMBER_TIMEOUT_S: "1",
        REPLAY_INDEX_ENABLED: "true",
        REPLAY_INDEX_URL: tencent.url,
        REPLAY_INDEX_DELAY_S: "0",
        REPLAY_INDEX_INTERVAL_MS: "200",
      });
      // The IM console's callback URL names one instance.
      tencent.replayIndex.callback = { url: `${B.url}/index.php?svc=live&cmd=idxfileendcall`, token: TEST_CALLBACK_KEY };
    }, SLOW);

    afterAll(() => stopPair([a, b], tencent), SLOW);
    afterEach(() => {
      tencent.delayMs = 0;
    });

    /** A figure every reaper sweep that did something logs, summed over both instances. */
    const loggedBy = (servers: ServerProcess[], field: "classesEnded" | "membersDropped") =>
      servers.flatMap((server) => server.logs.filter((line) => line.msg === "reaper sweep")).reduce((sum, line) => sum + Number(line[field]), 0);

    test(
      "silent classes are each ended exactly once by either reaper (one 1002 marker each), their relays stopped and their silent students dropped once; " +
        "each class's replay index is asked for once at Tencent",
      async () => {
        await register(A, "teacher1", 1);
        const T = await login(B, "teacher1");
        const tokens: string[] = [];
        for (const [i, id] of STUDENTS.entries()) {
          await register(i % 2 === 0 ? A : B, id, 0);
          tokens.push(await login(i % 2 === 0 ? B : A, id));
        }

        // While the classes are set up, and until their students are dropped for silence, the teacher beats
        // them on either instance in turn: a beat on one keeps the class alive for both reapers.
        const rooms: number[] = [];
        const beatFailures: Envelope[] = [];
        let keeping = true;
        const keeper = (async () => {
          for (let turn = 0; keeping; turn++) {
            const answers = await Promise.all(rooms.map((roomnum, i) => live((turn + i) % 2 === 0 ? A : B, "heartbeat", T, { roomnum })));
            beatFailures.push(...answers.filter((answer) => answer.errorCode !== 0));
            await sleep(150);
          }
        })();
        keeper.catch(() => undefined); // awaited below, where a failed beat fails the test
        try {
          for (let i = 0; i < CLASSES; i++) {
            const [one, other] = i % 2 === 0 ? [A, B] : [B, A];
            const roomnum = await livingClass(one, other, T, `silent ${i}`);
            rooms.push(roomnum);
            for (const [s, token] of tokens.entries()) expect(await live(s % 2 === 0 ? one : other, "reportmemid", token, { roomnum, operate: 0 })).toEqual({ errorCode: 0, errorInfo: "" });
            expect((await live(other, "startrecord", T, { roomnum })).errorCode).toBe(0);
            expect((await live(one, "startpush", T, { roomnum })).errorCode).toBe(0);
          }
          await until("every student dropped for silence", async () => {
            const [row] = await sql<{ dropped: number }>(
              `SELECT count(*)::int AS dropped FROM "ClassMember" WHERE roomnum = ANY($1::int[]) AND "leaveReason" = 'timeout'`,
              [rooms],
            );
            return row!.dropped === CLASSES * STUDENTS.length ? true : undefined;
          });
          expect((await courseRows(rooms)).map((row) => row.state)).toEqual(Array(CLASSES).fill(1));
        } finally {
          keeping = false;
          await keeper;
        }
        expect(beatFailures).toEqual([]);

        // Now the teacher is silent too: the classes end. A slow Tencent keeps each end (its 1002 marker) in flight
        // across several sweeps of the other instance, so both reapers find the same silent classes at once.
        tencent.delayMs = 250;
        const ended = await until("every silent class ended", async () => {
          const rows = await courseRows(rooms);
          return rows.every((row) => row.state >= 2) ? rows : undefined;
        });
        expect(ended.map((row) => row.endReason)).toEqual(Array(CLASSES).fill("timeout"));
        // Ended by either instance, the class's relays are stopped after it (the reaper stops them once the end is written).
        await until("no relay of the ended classes running at Tencent", () => (rooms.every((roomnum) => runningAtTencent(tencent, roomnum).length === 0) ? true : undefined));
        expect(await sql(`SELECT count(*)::int AS running FROM "Recording" WHERE roomnum = ANY($1::int[]) AND "stoppedAt" IS NULL`, [rooms])).toEqual([{ running: 0 }]);
        expect(await sql(`SELECT count(*)::int AS running FROM "LivePush" WHERE roomnum = ANY($1::int[]) AND "stoppedAt" IS NULL`, [rooms])).toEqual([{ running: 0 }]);

        // The replay index schedulers of both ask Tencent; its callback (to one instance) makes each class replayable.
        const built = await until("every class's replay index built", async () => {
          const rows = await courseRows(rooms);
          return rows.every((row) => row.state === 3) ? rows : undefined;
        });
        expect(built.map((row) => row.replayIndexStatus)).toEqual(Array(CLASSES).fill("built"));
        await tencent.replayIndex.settled();
        const asked = rooms.map((roomnum) => tencent.replayIndex.requests.filter((request) => request.body.GroupId === String(roomnum)).length);
        expect(asked).toEqual(Array(CLASSES).fill(1));
        expect(tencent.replayIndex.deliveries.map((delivery) => delivery.status)).toEqual(Array(CLASSES).fill(200));

        // Checked last, after the replay round gave both reapers many more sweeps: each end happened once.
        for (const roomnum of rooms) {
          expect({ roomnum, ends: markersOf(tencent, roomnum, 1002).length }).toEqual({ roomnum, ends: 1 });
          expect(await stays(roomnum)).toEqual([
            { uid: "teacher1", leaveReason: "class_ended" },
            ...STUDENTS.map((uid) => ({ uid, leaveReason: "timeout" })),
          ]);
        }
        expect(loggedBy([A, B], "classesEnded")).toBe(CLASSES);
        expect(loggedBy([A, B], "membersDropped")).toBe(CLASSES * STUDENTS.length);
        const redis = new Redis(testRedisUrl());
        try {
          const living = await redis.zrange(RedisKeys.livingCourses("class"), "0", "-1");
          expect(living.filter((roomnum) => rooms.includes(Number(roomnum)))).toEqual([]);
          for (const roomnum of rooms) expect(await redis.exists(RedisKeys.coursePresence(roomnum))).toBe(0);
        } finally {
          redis.disconnect();
        }
      },
      SLOW,
    );
  });
});
