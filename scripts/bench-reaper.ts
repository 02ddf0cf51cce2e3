// First, as in the reaper's own entry (src/workers/reaper-main.ts): V8 options set before anything runs.
import "../src/heap-tuning";
import { Client } from "pg";
import { loadConfig } from "../src/config";
import { memberRef, RedisKeys } from "../src/infra/redis/keys";
import { connectRedis, type RedisClient } from "../src/infra/redis/client";
import { forEachInBatches } from "../src/lib/batches";
import { createLogger } from "../src/logger";
import { createRuntime } from "../src/runtime";
import { CourseState } from "../src/services/domain";
import { Reaper } from "../src/workers/reaper";
import { cpuSeconds, launchTencentEmulator, postgresCpuSeconds, redisPid } from "./support/processes";
import { resetStores } from "./support/stores";

/**
 * `npm run bench` (2/2): the reaper with 100,000 members across 1,000 living classes.
 * Targets (2 cores): a sweep with nothing expired p99 < 2 ms; ending 1,000 expired classes < 2 s.
 */

const CLASSES = 1000;
const MEMBERS_PER_CLASS = 100;
const APP = { sdkAppId: 1400000000, secretKey: "bench-secret-key", admin: "administrator" };
const DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/sxb_edu_bench";
const REDIS_URL = "redis://127.0.0.1:6379/14";

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function populate(nowMs: number): Promise<void> {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    // Teachers 10001..11000, students after them; one class per teacher, 100 students each.
    await client.query(
      `INSERT INTO "Account" (appid, uid, "uidKey", role, "passwordHash")
       SELECT $1, 'u' || g, 'u' || g, CASE WHEN g <= $2::int THEN 1 ELSE 0 END, 'scrypt$bench'
       FROM generate_series(1, $2::int + $2::int * $3::int) AS g`,
      [APP.sdkAppId, CLASSES, MEMBERS_PER_CLASS],
    );
    await client.query(
      `INSERT INTO "Course" (appid, "hostUin", title, state, "startedAt", "effectiveAt", "startImSeq")
       SELECT $1, 10000 + g, 'class ' || g, $2, now(), now(), 101 FROM generate_series(1, $3::int) AS g`,
      [APP.sdkAppId, CourseState.living, CLASSES],
    );
    await client.query(
      `INSERT INTO "ClassMember" (roomnum, uin, role, "joinedAt")
       SELECT 10000 + c, 10000 + c, 1, now() FROM generate_series(1, $1::int) AS c
       UNION ALL
       SELECT 10000 + c, 10000 + $1::int + (c - 1) * $2::int + m, 0, now() FROM generate_series(1, $1::int) AS c, generate_series(1, $2::int) AS m`,
      [CLASSES, MEMBERS_PER_CLASS],
    );
  } finally {
    await client.end();
  }
  const redis = await connectRedis({ url: REDIS_URL, commandTimeoutMs: 10000 });
  try {
    const classes = Array.from({ length: CLASSES }, (_, i) => i + 1);
    await forEachInBatches(classes, 50, async (c) => {
      const roomnum = 10000 + c;
      const students = Array.from({ length: MEMBERS_PER_CLASS }, (_, m) => 10000 + CLASSES + (c - 1) * MEMBERS_PER_CLASS + m + 1);
      await Promise.all([
        redis.set(RedisKeys.courseAlive(roomnum), nowMs),
        redis.zadd(RedisKeys.livingCourses("class"), nowMs, String(roomnum)),
        redis.zadd(RedisKeys.coursePresence(roomnum), nowMs, String(10000 + c), ...students.flatMap((uin) => [nowMs, String(uin)])),
        redis.zadd(RedisKeys.presentMembers("class"), ...students.flatMap((uin) => [nowMs, memberRef(roomnum, uin)])),
      ]);
    });
    await redis.set(RedisKeys.presenceEpoch, String(nowMs));
  } finally {
    redis.disconnect();
  }
}

/** An idle sweep's Redis reads, sent at once: presence complete?, used tokens, and per kind of room its silent classes and due members. */
const IDLE_SWEEP_READS = 6;
const IDLE_SWEEPS = 1000;
/**
 * Rounds run before the measured ones, exactly as they are (the sweep, the PINGs, the timing):
 * until V8 has optimized these paths, each optimization runs on a background thread that takes
 * the core Redis needs, and was most of the measured p99 (1–3 ms instead of 0.2). Warming the
 * sweeps alone left the PINGs' and the timing's 40 optimizations among the measured rounds; 1,000
 * rounds still left 20, 3,000 leave 3–6. A reaper in a server sweeps for hours: warm is its state.
 */
const WARM_UP_ROUNDS = 3000;

async function timeIdleSweeps(reaper: Reaper, redis: RedisClient, judgedMs: number): Promise<{ idle: number[]; floor: number[] }> {
  const elapsedMs = async (work: () => Promise<unknown>) => {
    const t0 = process.hrtime.bigint();
    await work();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const pings = () => Promise.all(Array.from({ length: IDLE_SWEEP_READS }, () => redis.ping()));
  const idle: number[] = [];
  const floor: number[] = [];
  const round = async () => {
    idle.push(
      await elapsedMs(async () => {
        const result = await reaper.sweep(judgedMs);
        if (result.classesEnded + result.membersDropped > 0) throw new Error("nothing should have expired");
      }),
    );
    floor.push(await elapsedMs(pings));
  };
  for (let i = 0; i < WARM_UP_ROUNDS; i++) await round();
  idle.length = floor.length = 0;
  for (let i = 0; i < IDLE_SWEEPS; i++) await round();
  return { idle: idle.sort((a, b) => a - b), floor: floor.sort((a, b) => a - b) };
}

async function main(): Promise<void> {
  await resetStores(DATABASE_URL, REDIS_URL);
  const im = await launchTencentEmulator([APP]);
  const now = Date.now();
  await populate(now);
  const config = loadConfig({ DATABASE_URL, REDIS_URL, SDK_APPS: JSON.stringify([APP]), IM_BASE_URL: im.url, LOG_LEVEL: "warn", MEMBER_TIMEOUT_S: "3600" });
  const log = createLogger("warn");
  const runtime = await createRuntime(config, log);
  const { db, services } = runtime;
  const reaper = new Reaper({ config, services, log });
  try {
    console.log(`setup: ${CLASSES} living classes, ${CLASSES * MEMBERS_PER_CLASS} present students\n`);
    // Nothing expired: judged 60 s after the last beats. Each sweep is followed by the same
    // number of bare Redis PINGs at once (the sweep's reads), so both see the same machine.
    const { idle, floor } = await timeIdleSweeps(reaper, runtime.redis, now + 60000);
    const idleP99 = percentile(idle, 99);
    console.log(`sweep, nothing expired: p50 ${percentile(idle, 50).toFixed(2)} ms, p99 ${idleP99.toFixed(2)} ms (target p99 < 2 ms)`);
    console.log(`  this machine's floor, ${IDLE_SWEEP_READS} PINGs at once: p50 ${percentile(floor, 50).toFixed(2)} ms, p99 ${percentile(floor, 99).toFixed(2)} ms`);

    // Every teacher silent for 301 s; students are within their (here 1 h) timeout: only classes are due.
    const judged = now + 301000;
    const cpuOf = { reaper: () => process.cpuUsage(), emulator: () => cpuSeconds(im.process.pid!), redis: () => cpuSeconds(redisPid(REDIS_URL)), postgres: postgresCpuSeconds };
    const cpu0 = { reaper: cpuOf.reaper(), emulator: cpuOf.emulator(), redis: cpuOf.redis(), postgres: cpuOf.postgres() };
    const t0 = process.hrtime.bigint();
    let ended = 0;
    let sweeps = 0;
    while (ended < CLASSES && sweeps < 20) {
      ended += (await reaper.sweep(judged)).classesEnded;
      sweeps += 1;
    }
    const endMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const reaperCpu = process.cpuUsage(cpu0.reaper);
    const cpuUsed = {
      reaper: (reaperCpu.user + reaperCpu.system) / 1e6,
      emulator: cpuOf.emulator() - cpu0.emulator,
      postgres: cpuOf.postgres() - cpu0.postgres,
      redis: cpuOf.redis() - cpu0.redis,
    };
    const rows = await db.course.count({ where: { state: CourseState.ended, endReason: "timeout" } });
    // Each ended row carries the MsgSeq the (fake) IM answered for its end marker.
    const marked = await db.course.count({ where: { state: CourseState.ended, endImSeq: { gt: 0 } } });
    console.log(`ending ${ended} expired classes: ${(endMs / 1000).toFixed(2)} s in ${sweeps} sweeps (target < 2 s); ${rows} rows ended, ${marked} with their IM end marker`);
    console.log(`  CPU seconds meanwhile: ${Object.entries(cpuUsed).map(([name, s]) => `${name} ${s.toFixed(2)}`).join(", ")} (the emulator stands for Tencent's IM)`);
    const met = idleP99 < 2 && endMs < 2000 && ended === CLASSES && rows === CLASSES && marked === CLASSES;
    console.log(met ? "targets met" : "TARGETS MISSED");
  } finally {
    im.process.kill("SIGTERM");
    await runtime.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
