import { C, signUp, startTestServer, type TestServer } from "./support/harness";
import { sql, testDatabaseUrl, testRedisUrl } from "./support/env";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy";
import { RedisKeys } from "../src/infra/redis/keys";

/**
 * Stalled and lost dependencies. IM: one attempt per marker, bounded by IM_TIMEOUT_MS,
 * never resent blindly; a retry of the same change posts the same message, which IM
 * keeps once.
 */

/** Long enough that a busy machine's stall never times out an IM call that is answered at once. */
const IM_TIMEOUT_MS = 1500;

describe("a stalled IM", () => {
  let t: TestServer;
  let T: string;
  beforeAll(async () => {
    t = await startTestServer({ IM_TIMEOUT_MS: String(IM_TIMEOUT_MS) });
    T = await signUp(t, "teacher1", 1);
  });
  afterAll(() => t.close());
  afterEach(() => {
    t.im.mode = "ok";
    t.im.delayMs = 0;
  });

  const live = (cmd: string, fields: Record<string, unknown>) => t.call("live", cmd, { ...C, token: T, ...fields });
  const group = (room: number) => t.tencent.im.messagesOf(String(room));
  const state = async (room: number) => (await sql<{ state: number; startImSeq: number }>(`SELECT state, "startImSeq" FROM "Course" WHERE roomnum = $1`, [room]))[0]!;

  test("startcourse answers 10103 before IM does, sends once, and its retry leaves one 1001 in the group", async () => {
    const room = (await live("create", { title: "stalled" })).body.data.roomnum as number;
    t.im.delayMs = IM_TIMEOUT_MS * 3;
    expect((await live("startcourse", { roomnum: room })).body).toEqual({ errorCode: 10103, errorInfo: "save info to imgroup failed." });
    expect(group(room)).toHaveLength(0); // answered while IM was still holding the message
    expect(await state(room)).toEqual({ state: 0, startImSeq: 0 });
    // The stalled message lands later, and is not sent a second time.
    const giveUpAt = Date.now() + 20_000;
    while (group(room).length === 0 && Date.now() < giveUpAt) await new Promise((r) => setTimeout(r, 50));
    expect(group(room)).toHaveLength(1);
    const duplicatesBefore = t.tencent.im.duplicates;
    expect(await state(room)).toEqual({ state: 0, startImSeq: 0 });

    t.im.delayMs = 0;
    expect((await live("startcourse", { roomnum: room, timeStamp: 999 })).body).toEqual({ errorCode: 0, errorInfo: "" });
    expect(group(room)).toHaveLength(1);
    expect(t.tencent.im.duplicates).toBe(duplicatesBefore + 1);
    expect(await state(room)).toEqual({ state: 1, startImSeq: group(room)[0]!.msgSeq });
  });

  test("IM down: 10103 and nothing changes; the retry posts one marker", async () => {
    const room = (await live("create", { title: "down" })).body.data.roomnum as number;
    t.im.mode = "down";
    expect((await live("startcourse", { roomnum: room })).body.errorCode).toBe(10103);
    expect(await state(room)).toEqual({ state: 0, startImSeq: 0 });
    t.im.mode = "ok";
    expect((await live("startcourse", { roomnum: room })).body.errorCode).toBe(0);
    expect(group(room)).toHaveLength(1);
    expect((await state(room)).startImSeq).toBe(group(room)[0]!.msgSeq);
  });

  test("a refused marker is not reused: the next attempt is a new message", async () => {
    const room = (await live("create", { title: "refused" })).body.data.roomnum as number;
    t.im.mode = "error";
    expect((await live("startcourse", { roomnum: room, timeStamp: 1 })).body.errorCode).toBe(10103);
    t.im.mode = "ok";
    expect((await live("startcourse", { roomnum: room, timeStamp: 2 })).body.errorCode).toBe(0);
    expect(group(room).map((m) => (JSON.parse(String(m.msgBody[0]!.MsgContent.Data)) as { timestamp: number }).timestamp)).toEqual([2]);
  });
});

describe("close() (what SIGTERM runs once drained; test/drain.test.ts drains a real process)", () => {
  test("requests in flight are all answered; then the server stops accepting and closes its pools", async () => {
    const t = await startTestServer();
    try {
      const T = await signUp(t, "teacher1", 1);
      const students = await Promise.all(Array.from({ length: 40 }, (_, i) => signUp(t, `s${i}`, 0)));
      const room = (await t.call("live", "create", { ...C, token: T, title: "x" })).body.data.roomnum as number;
      await t.call("live", "startcourse", { ...C, token: T, roomnum: room });
      t.im.delayMs = 2000; // every enter waits on IM: all 40 are in flight when the shutdown starts
      const inFlight = students.map((token) => t.call("live", "reportmemid", { ...C, token, roomnum: room, operate: 0 }));
      // All 40 are entering (each holds its place in the class's entering set while IM holds its marker), however busy the machine.
      const giveUpAt = Date.now() + 20_000;
      while ((await t.server.redis.zcard(RedisKeys.courseEntering(room))) < students.length && Date.now() < giveUpAt) await new Promise((r) => setTimeout(r, 20));
      expect(await t.server.redis.zcard(RedisKeys.courseEntering(room))).toBe(students.length);
      const closing = t.server.close();
      const answers = await Promise.allSettled(inFlight);
      await closing;
      expect(answers.map((a) => (a.status === "fulfilled" ? a.value.body.errorCode : String(a.reason)))).toEqual(students.map(() => 0));
      await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
      await expect(t.server.redis.ping()).rejects.toThrow(); // the pools are closed
    } finally {
      await t.close();
    }
  });
});

describe("Redis and PostgreSQL cut or stalled (through a TCP proxy in the test)", () => {
  let t: TestServer;
  let redisProxy: TcpProxy;
  let pgProxy: TcpProxy;
  let T: string;
  let S: string;
  let room: number;
  beforeAll(async () => {
    redisProxy = await startTcpProxy(6379);
    pgProxy = await startTcpProxy(5432);
    t = await startTestServer({
      REDIS_URL: redisProxy.via(testRedisUrl()),
      DATABASE_URL: pgProxy.via(testDatabaseUrl()),
      REDIS_COMMAND_TIMEOUT_MS: "1000", // production's default
      DATABASE_TIMEOUT_MS: "1000",
    });
    T = await signUp(t, "teacher1", 1);
    S = await signUp(t, "student1", 0);
    room = (await t.call("live", "create", { ...C, token: T, title: "faults" })).body.data.roomnum as number;
    await t.call("live", "startcourse", { ...C, token: T, roomnum: room });
    await t.call("live", "reportmemid", { ...C, token: S, roomnum: room, operate: 0 });
  });
  afterAll(async () => {
    await t.close();
    await redisProxy.close();
    await pgProxy.close();
  });
  afterEach(() => {
    redisProxy.restore();
    pgProxy.restore();
  });

  const SERVER_ERROR = { errorCode: 90000, errorInfo: "Server inner error" };
  const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
    const started = Date.now();
    const value = await work();
    return { value, ms: Date.now() - started };
  };
  /** Readiness: the status and the checks that failed. */
  const readiness = async () => {
    const response = await fetch(`${t.url}/readyz`);
    return { status: response.status, body: await response.json() };
  };
  /** Liveness: the process answers, whatever its dependencies do (a restart would not bring them back). */
  const liveness = () => fetch(`${t.url}/healthz`).then((r) => r.status);
  const beat = (token: string) => t.call("live", "heartbeat", { ...C, token, roomnum: room });
  /** After a restore, the same server serves again by itself (no restart): polled, bounded. */
  async function recovers(check: () => Promise<boolean>): Promise<boolean> {
    for (const giveUpAt = Date.now() + 15000; Date.now() < giveUpAt; await new Promise((r) => setTimeout(r, 100))) {
      if (await check().catch(() => false)) return true;
    }
    return false;
  }
  /**
   * What "bounded" means on a machine as busy as CI's: a stalled dependency is given up within a few
   * of its timeouts (the command timeout, then the answer's own path), never hung on. Without the timeouts a stall hangs for minutes.
   */
  const BOUND_MS = 5000;
  const courseRows = async () => Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM "Course"`))[0]!.n);
  const roomState = async () => (await sql<{ state: number }>(`SELECT state FROM "Course" WHERE roomnum = $1`, [room]))[0]!.state;

  describe.each(["cut", "stall"] as const)("Redis %s", (fault) => {
    test("requests needing Redis answer 90000 within about a second; readiness says 503 (redis) as fast, liveness 200; then it recovers", async () => {
      redisProxy[fault]();
      const list = await timed(() => t.call("live", "roomlist", { ...C, token: S, index: 0, size: 1 }));
      expect(list.value.body).toEqual(SERVER_ERROR);
      expect(list.ms).toBeLessThan(BOUND_MS);
      const beating = await timed(() => beat(T));
      expect(beating.value.body).toEqual(SERVER_ERROR);
      expect(beating.ms).toBeLessThan(BOUND_MS);
      const probe = await timed(readiness);
      expect(probe.value).toEqual({ status: 503, body: { status: "unavailable", failed: ["redis"] } });
      expect(probe.ms).toBeLessThan(BOUND_MS);
      expect(await liveness()).toBe(200);
      redisProxy.restore();
      expect(await recovers(async () => (await beat(T)).body.errorCode === 0)).toBe(true);
      expect(await recovers(async () => (await readiness()).status === 200)).toBe(true);
      expect(await readiness()).toEqual({ status: 200, body: { status: "ok" } });
      // The outage ended no class: the teacher's beats resumed before any timeout.
      await t.server.reaper.sweep();
      expect(await roomState()).toBe(1);
    });
  });

  describe.each(["cut", "stall"] as const)("PostgreSQL %s", (fault) => {
    test("requests needing SQL answer 90000, bounded, and write nothing; Redis-only heartbeats go on; readiness says 503 (postgres), liveness 200; then it recovers", async () => {
      await beat(S); // warm: the course facts are in memory
      const before = await courseRows();
      pgProxy[fault]();
      const create = await timed(() => t.call("live", "create", { ...C, token: T, title: "during outage" }));
      expect(create.value.body).toEqual(SERVER_ERROR);
      expect(create.ms).toBeLessThan(BOUND_MS);
      expect((await beat(S)).body).toEqual({ errorCode: 0, errorInfo: "" });
      const probe = await timed(readiness);
      expect(probe.value).toEqual({ status: 503, body: { status: "unavailable", failed: ["postgres"] } });
      expect(probe.ms).toBeLessThan(BOUND_MS);
      expect(await liveness()).toBe(200);
      pgProxy.restore();
      expect(await courseRows()).toBe(before); // no half-written row
      expect(await recovers(async () => (await t.call("live", "roomlist", { ...C, token: T, index: 0, size: 1, host_uid: "teacher1" })).body.errorCode === 0)).toBe(true);
      expect(await recovers(async () => (await readiness()).status === 200)).toBe(true);
      expect(await readiness()).toEqual({ status: 200, body: { status: "ok" } });
      expect(await roomState()).toBe(1);
    });
  });
});
