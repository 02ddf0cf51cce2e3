import slotOf from "cluster-key-slot";
import { Cluster } from "ioredis";
import { RedisKeys } from "../src/infra/redis/keys";
import { hashToken } from "../src/services/sessions";
import { sql } from "./support/env";
import { C, signUp, signUpClassroom, startTestServer, type TestServer } from "./support/harness";
import { type LocalCluster, startLocalCluster, waitFor } from "./support/redis-cluster";

/**
 * The server on a real Redis Cluster (REDIS_CLUSTER_NODES): 3 masters and 3 replicas of
 * Debian's redis-server on loopback, started for this file and stopped after it. Sessions,
 * heartbeats, the reaper, course locks and the replay index scheduler run against it, then a
 * master dies (SIGKILL) and another freezes (SIGSTOP: its connections stay open and silent, as
 * a hung or cut-off host) in the middle of a class: each one's replica takes over by itself,
 * the classes live on, beats work again, and no request waits longer than one Redis command
 * timeout (during the failover a request may fail fast with 90000).
 */

/** Twice production's default: a busy machine's stall must not fail a command Redis answered in time. */
const COMMAND_TIMEOUT_MS = 2000;
/** How long a silent node takes to be judged failed (a replica is elected about a second later). */
const NODE_TIMEOUT_MS = 2000;
/** The longest a request may take while a master fails. A failed command ends the request, and a command
 *  to a silent node fails within two timeouts: auto-pipelining holds it while the batch in flight to that
 *  node times out, then its own batch times out. Plus room for a busy machine. Without the timeout a
 *  command to a frozen master would wait for ever. */
const REQUEST_BOUND_MS = 2 * COMMAND_TIMEOUT_MS + 3000;
const SLOW = 180000;

let cluster: LocalCluster | undefined;
let t: TestServer;
let T: string;
let S: string;
let S2: string;

const live = (cmd: string, token: string, fields: Record<string, unknown> = {}) => t.call("live", cmd, { ...C, token, ...fields });
const beat = (token: string, roomnum: number) => live("heartbeat", token, { roomnum });
const minutesFromNow = (n: number) => Date.now() + n * 60000;
const uinOf = async (uid: string) => (await sql<{ uin: number }>(`SELECT uin FROM "Account" WHERE uid = $1`, [uid]))[0]!.uin;
const courseState = async (roomnum: number) => (await sql<{ state: number }>(`SELECT state FROM "Course" WHERE roomnum = $1`, [roomnum]))[0]!.state;
const markers = (roomnum: number, type: number) => t.im.messages.filter((m) => m.groupId === String(roomnum) && m.data.type === type);
const memberIds = async (roomnum: number) =>
  ((await live("roomidlist", T, { roomnum, index: 0, size: 10 })).body.data.idlist as Array<{ id: string }>).map((m) => m.id);

async function livingClass(students: string[]): Promise<number> {
  const roomnum = (await live("create", T, { title: "on a cluster" })).body.data.roomnum as number;
  expect((await live("startcourse", T, { roomnum })).body.errorCode).toBe(0);
  for (const s of students) expect((await live("reportmemid", s, { roomnum, operate: 0 })).body.errorCode).toBe(0);
  return roomnum;
}

beforeAll(async () => {
  cluster = await startLocalCluster({ nodeTimeoutMs: NODE_TIMEOUT_MS });
  t = await startTestServer(
    { REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS), REPLAY_INDEX_DELAY_S: "0" },
    { redisCluster: cluster.seeds, tencentReplayIndex: true },
  );
  ({ T, S, S2 } = await signUpClassroom(t));
  // A fresh cluster has no presence epoch yet: the first sweep builds it and judges nothing.
  expect((await t.server.reaper.sweep(Date.now())).rebuilt).toBe(true);
}, SLOW);

afterAll(async () => {
  try {
    await t?.close();
  } finally {
    await cluster?.stop();
  }
}, SLOW);

test("the server runs on the cluster client: login caches the session there, token commands read it, logout ends it", async () => {
  expect(t.server.redis).toBeInstanceOf(Cluster);
  const token = await signUp(t, "cluster-user", 0);
  const key = RedisKeys.session(hashToken(token));
  expect(await t.server.redis.hget(key, "uin")).toBe(String(await uinOf("cluster-user")));
  expect((await live("roomlist", token, { index: 0, size: 1 })).body.errorCode).toBe(0);
  expect((await t.call("account", "logout", { ...C, token })).body).toEqual({ errorCode: 0, errorInfo: "" });
  expect(await t.server.redis.exists(key)).toBe(0);
  expect((await live("roomlist", token, { index: 0, size: 1 })).body).toEqual({ errorCode: 10009, errorInfo: "Token expired" });
});

test("heartbeats: beats arriving together are each recorded by the beat script on the class's slot", async () => {
  const roomnum = await livingClass([S, S2]);
  const before = Date.now();
  const answers = await Promise.all([beat(T, roomnum), beat(S, roomnum), beat(S2, roomnum)]);
  expect(answers.map((a) => a.body)).toEqual(Array(3).fill({ errorCode: 0, errorInfo: "" }));
  const r = t.server.redis;
  for (const uid of ["teacher1", "student1", "student2"]) {
    expect(Number(await r.zscore(RedisKeys.coursePresence(roomnum), String(await uinOf(uid))))).toBeGreaterThanOrEqual(before);
  }
  expect(Number(await r.get(RedisKeys.courseAlive(roomnum)))).toBeGreaterThanOrEqual(before);
  expect(await memberIds(roomnum)).toEqual(["teacher1", "student1", "student2"]);
});

test("heartbeats of classes on different slots in one turn: one script call per class, each recorded", async () => {
  const r = t.server.redis;
  const rooms = [880001, 880002, 880003];
  expect(new Set(rooms.map((n) => slotOf(RedisKeys.coursePresence(n)))).size).toBe(rooms.length);
  for (const n of rooms) await r.zadd(RedisKeys.coursePresence(n), 1, "1", 1, "2");
  const at = Date.now();
  const outcomes = await Promise.all(rooms.flatMap((roomnum) => [1, 2].map((uin) => t.server.services.presence.beat({ roomnum, hostUin: 1, mode: "class" }, uin, at))));
  expect(outcomes).toEqual(Array(6).fill("present"));
  for (const n of rooms) expect(await r.zrange(RedisKeys.coursePresence(n), "0", "-1", "WITHSCORES")).toEqual(["1", String(at), "2", String(at)]);
});

test("the reaper (explicit clocks): silent students leave, then the silent class ends with one 1002 marker", async () => {
  const roomnum = await livingClass([S, S2]);
  const sweep = (now: number) => t.server.reaper.sweep(now);
  // Three minutes on, the students (120 s) are silent, the teacher (300 s) is not yet.
  const first = await sweep(minutesFromNow(3));
  expect(first).toMatchObject({ rebuilt: false, failures: 0 });
  expect(first.endedRoomnums).not.toContain(roomnum);
  const stays = await sql<{ uid: string; leaveReason: string | null }>(
    `SELECT a.uid, m."leaveReason" FROM "ClassMember" m JOIN "Account" a ON a.uin = m.uin WHERE roomnum = $1 ORDER BY m.id`,
    [roomnum],
  );
  expect(stays).toEqual([
    { uid: "teacher1", leaveReason: null },
    { uid: "student1", leaveReason: "timeout" },
    { uid: "student2", leaveReason: "timeout" },
  ]);
  expect(await memberIds(roomnum)).toEqual(["teacher1"]);
  const second = await sweep(minutesFromNow(5) + 1000);
  expect(second.failures).toBe(0);
  expect(second.endedRoomnums).toContain(roomnum);
  expect(await courseState(roomnum)).toBe(2);
  expect(markers(roomnum, 1002)).toHaveLength(1);
  expect(await t.server.redis.exists(RedisKeys.coursePresence(roomnum))).toBe(0);
  expect(await t.server.redis.zscore(RedisKeys.livingCourses("class"), String(roomnum))).toBeNull();
});

test("course locks: of two concurrent startcourse exactly one wins, and one 1001 marker is posted", async () => {
  const roomnum = (await live("create", T, { title: "raced" })).body.data.roomnum as number;
  t.im.delayMs = 150; // widen the window between the state check and the write
  try {
    const answers = await Promise.all([live("startcourse", T, { roomnum }), live("startcourse", T, { roomnum })]);
    expect(answers.map((a) => a.body.errorCode).sort()).toEqual([0, 10102]);
  } finally {
    t.im.delayMs = 0;
  }
  expect(markers(roomnum, 1001)).toHaveLength(1);
  expect(await courseState(roomnum)).toBe(1);
});

test("the replay index schedulers of two instances on the cluster ask once per class", async () => {
  const b = await startTestServer(
    { REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS), REPLAY_INDEX_DELAY_S: "0", REPLAY_INDEX_URL: t.tencent.url, IM_BASE_URL: t.tencent.url },
    { keepStores: true, redisCluster: cluster!.seeds },
  );
  try {
    // Only this test's classes are due.
    await sql(`UPDATE "Course" SET "replayIndexDueAt" = NULL WHERE state = 2`);
    const rooms: number[] = [];
    for (let i = 0; i < 4; i++) {
      const roomnum = await livingClass([S]);
      await t.tencent.recorder.settled();
      expect((await live("exitroom", T, { roomnum })).body.errorCode).toBe(0);
      rooms.push(roomnum);
    }
    t.tencent.replayIndex.mode = "silent";
    const [ranA, ranB] = await Promise.all([t.server.replayScheduler.run(), b.server.replayScheduler.run()]);
    expect(ranA.length + ranB.length).toBe(4);
    expect(t.tencent.replayIndex.requests.map((r) => Number(r.body.GroupId)).sort((x, y) => x - y)).toEqual(rooms);
    for (const roomnum of rooms) {
      expect((await sql(`SELECT "replayIndexStatus", "replayIndexAttempts" FROM "Course" WHERE roomnum = $1`, [roomnum]))[0]).toEqual({
        replayIndexStatus: "requested",
        replayIndexAttempts: 1,
      });
    }
  } finally {
    t.tencent.replayIndex.mode = "callback";
    await b.close();
  }
});

test("rate limits on the cluster: one count per client address, shared by two instances", async () => {
  const b = await startTestServer({ REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS), LIVE_COS_SIGN_PER_MINUTE: "10" }, { keepStores: true, redisCluster: cluster!.seeds });
  try {
    const ask = (server: TestServer) => server.call("cos", "get_sign", {}, { path: "/sxb_dev/index.php" });
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await ask(i % 2 === 0 ? t : b)).body.errorCode);
    expect(codes).toEqual([...Array<number>(10).fill(0), 10429, 10429]);
  } finally {
    await b.close();
  }
});

describe("a master fails mid-class: its replica takes over", () => {
  interface Answer {
    ms: number;
    code: number;
  }

  /** A living class of the teacher and student1 whose slot a master with a replica serves (a shard that failed over has none left). */
  async function classOnAShardWithAReplica(): Promise<{ roomnum: number; master: number; replica: number }> {
    for (let tries = 0; tries < 30; tries++) {
      const roomnum = await livingClass([S]);
      const slot = slotOf(`{course:${roomnum}}`);
      const shard = await cluster!.shardOf(slot);
      if (shard.replicas.length > 0) {
        // The slot as the cluster computes it is the one the slot rules are checked with.
        expect(await cluster!.node(shard.master).call("CLUSTER", "KEYSLOT", RedisKeys.coursePresence(roomnum))).toBe(slot);
        return { roomnum, master: shard.master, replica: shard.replicas[0]! };
      }
      expect((await live("exitroom", T, { roomnum })).body.errorCode).toBe(0);
    }
    throw new Error("no class landed on a shard with a replica");
  }

  /**
   * Fails the class's master (`fail`) while the teacher and the student beat as apps do, one
   * round after another, until the replica is master and a whole round is answered 0. Returns
   * every answer, and how many beats were sent before the replica had taken over.
   */
  async function beatThroughFailover(roomnum: number, master: number, replica: number, fail: (port: number) => Promise<void> | void) {
    const replicaNode = cluster!.node(replica);
    await replicaNode.call("READONLY");
    // What a failover keeps is what was replicated: the replica holds the class before its master goes.
    await waitFor("the replica to hold the class", async () => (await replicaNode.zcard(RedisKeys.coursePresence(roomnum))) === 2 && (await replicaNode.exists(RedisKeys.courseAlive(roomnum))) === 1);
    await fail(master);
    const answers: Answer[] = [];
    let beforeTakeover = 0;
    let lastRoundAt = 0;
    await waitFor("a round of beats answered 0 after the replica took over", async () => {
      const promoted = await cluster!.isMaster(replica);
      lastRoundAt = Date.now();
      const round = await Promise.all(
        [T, S].map(async (token) => {
          const started = performance.now();
          const answer = await beat(token, roomnum);
          return { ms: performance.now() - started, code: answer.body.errorCode };
        }),
      );
      answers.push(...round);
      if (!promoted) beforeTakeover += round.length;
      return promoted && round.every((a) => a.code === 0);
    });
    return { answers, beforeTakeover, lastRoundAt };
  }

  async function expectLivingOn(roomnum: number, since: number): Promise<void> {
    expect(await courseState(roomnum)).toBe(1);
    expect(Number(await t.server.redis.get(RedisKeys.courseAlive(roomnum)))).toBeGreaterThanOrEqual(since);
    expect(Number(await t.server.redis.zscore(RedisKeys.coursePresence(roomnum), String(await uinOf("student1"))))).toBeGreaterThanOrEqual(since);
    expect(await memberIds(roomnum)).toEqual(["teacher1", "student1"]);
    const sweep = await t.server.reaper.sweep(Date.now());
    expect(sweep).toMatchObject({ rebuilt: false, failures: 0 });
    expect(sweep.endedRoomnums).not.toContain(roomnum);
  }

  function expectNoRequestHung(answers: readonly Answer[], beforeTakeover: number): void {
    expect(beforeTakeover).toBeGreaterThan(0); // beats were sent while the master was gone
    expect(answers.filter((a) => a.code !== 0 && a.code !== 90000)).toEqual([]);
    expect(answers.filter((a) => a.ms > REQUEST_BOUND_MS)).toEqual([]);
  }

  test(
    "killed (SIGKILL): the class lives on, beats work again, requests meanwhile answer within the bound",
    async () => {
      const { roomnum, master, replica } = await classOnAShardWithAReplica();
      const { answers, beforeTakeover, lastRoundAt } = await beatThroughFailover(roomnum, master, replica, (port) => cluster!.kill(port));
      expectNoRequestHung(answers, beforeTakeover);
      await cluster!.healthy();
      await expectLivingOn(roomnum, lastRoundAt);
    },
    SLOW,
  );

  test(
    "frozen (SIGSTOP, its connections open and silent): the same, each request bounded by the command timeout alone",
    async () => {
      const { roomnum, master, replica } = await classOnAShardWithAReplica();
      const { answers, beforeTakeover, lastRoundAt } = await beatThroughFailover(roomnum, master, replica, (port) => cluster!.freeze(port));
      expectNoRequestHung(answers, beforeTakeover);
      await cluster!.healthy();
      await expectLivingOn(roomnum, lastRoundAt);
    },
    SLOW,
  );
});
