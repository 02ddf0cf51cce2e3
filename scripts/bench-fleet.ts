import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { forEachInBatches } from "../src/lib/batches";
import { cpuSeconds, freePort, launch, launchTencentEmulator, redisPid, stolenSeconds, waitFor } from "./support/processes";
import { resetStores } from "./support/stores";

/**
 * `npm run bench` (1/3): the heartbeat as production sees it. A fleet of BENCH_CLASSES started
 * classes of BENCH_CLASS_SIZE users each (a teacher and its students, all logged in and in
 * class); each request is the next user's heartbeat, classes interleaved, so no in-process cache
 * is warm for long. wrk (Debian's; autocannon in a process of its own when wrk is missing) drives
 * the server (`npm start`'s entry, its own process), a bare Koa app and a bare node:http server
 * answering {} (each its own process). Every target is first brought to its steady state (ours:
 * a pass over every user, whose figures are printed as what a start costs; then BENCH_WARM_UP_S
 * at full load for each). Then BENCH_ROUNDS rounds of BENCH_DURATION_S per target, twice: as fast
 * as it answers (throughput, CPU), and at the fleet's own pace, every user every 3 s (the
 * latency its users see). CPU per request is read from /proc for each process (the server's
 * figure includes Redis's); so is the CPU the VM's host took meanwhile (steal). Targets: server
 * CPU per beat ≤ 1.5 × bare Koa's and throughput ≥ 0.65 × at full load, p99 ≤ 10 ms under both
 * loads on an idle machine, no errors.
 */

const CLASSES = Number(process.env.BENCH_CLASSES ?? 1000);
const CLASS_SIZE = Number(process.env.BENCH_CLASS_SIZE ?? 40);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** The apps' heartbeat interval: the fleet's own pace is every user once per interval. */
const BEAT_INTERVAL_S = 3;
const FLEET_PACE = Number(process.env.BENCH_PACE ?? Math.round((CLASSES * CLASS_SIZE) / BEAT_INTERVAL_S));
/** Full load on every target before it is measured (after ours' first pass over every user): JIT, heap sizing and caches settle, as in a server that has been running. */
const WARM_UP_S = Number(process.env.BENCH_WARM_UP_S ?? 20);
/** Node options of a second server measured beside the first, in the same rounds (e.g. "--max-semi-space-size=64"): a variant compared under the same load and the same machine's moods. */
const VARIANT_NODE_ARGS = process.env.BENCH_VARIANT_NODE_ARGS ?? "";
/** Another build's dist/ for that second server (a copy inside the project, so its packages resolve: e.g. `cp -r dist .bench-base` before a change): two versions of the code compared side by side. */
const VARIANT_DIST = process.env.BENCH_VARIANT_DIST ?? "";
const VARIANT = [VARIANT_NODE_ARGS, VARIANT_DIST && `the build in ${VARIANT_DIST}`].filter(Boolean).join(" and ");
const APP = { sdkAppId: 1400000000, secretKey: "bench-secret-key", admin: "administrator" };
const DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/sxb_edu_bench";
const REDIS_URL = "redis://127.0.0.1:6379/14";
const HEARTBEAT_PATH = "/index.php?svc=live&cmd=heartbeat";
const SUCCESS = '{"errorCode":0,"errorInfo":""}';

const OURS = "ours (heartbeat)";

interface User {
  uid: string;
  token: string;
  role: 0 | 1;
  roomnum?: number;
}

/** IM's failure (10103): seating posts a marker per enter to the emulator, which shares the two cores; such a call is made again. */
const IM_FAILED = 10103;
const SEATING_ATTEMPTS = 3;

async function call(base: string, svc: string, cmd: string, body: Record<string, unknown>, attempt = 1): Promise<Record<string, unknown> | undefined> {
  const response = await fetch(`${base}/index.php?svc=${svc}&cmd=${cmd}`, { method: "POST", body: JSON.stringify({ appid: APP.sdkAppId, timeStamp: 1, ...body }) });
  const answer = (await response.json()) as { errorCode: number; errorInfo: string; data?: Record<string, unknown> };
  if (answer.errorCode === IM_FAILED && attempt < SEATING_ATTEMPTS) return call(base, svc, cmd, body, attempt + 1);
  if (answer.errorCode !== 0) throw new Error(`${svc}.${cmd}: ${answer.errorCode} ${answer.errorInfo}`);
  return answer.data;
}

/** The fleet's accounts and sessions, written at once (a login each would cost minutes of scrypt). */
async function insertAccounts(users: User[][]): Promise<void> {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const all = users.flat();
    const now = new Date();
    await client.query(
      `INSERT INTO "Account" (appid, uid, "uidKey", role, "passwordHash", "tokenHash", "registeredAt", "loginAt", "lastRequestAt")
       SELECT $1, uid, lower(uid), role, 'scrypt$1024$8$1$bench$bench', hash, $2, $2, $2
       FROM unnest($3::text[], $4::int[], $5::text[]) AS t(uid, role, hash)`,
      [APP.sdkAppId, now, all.map((u) => u.uid), all.map((u) => u.role), all.map((u) => createHash("sha256").update(u.token).digest("hex"))],
    );
  } finally {
    await client.end();
  }
}

/** Every class created and started by its teacher, every student entered (the server's own commands). */
async function seatFleet(base: string, classes: User[][]): Promise<void> {
  await forEachInBatches(classes, 20, async ([teacher]) => {
    const roomnum = (await call(base, "live", "create", { token: teacher!.token, title: "fleet" }))!.roomnum as number;
    await call(base, "live", "startcourse", { token: teacher!.token, roomnum });
    teacher!.roomnum = roomnum;
  });
  // Classes interleaved: the 50 entering at once are in 50 classes, not queued on one class's lock.
  const students = Array.from({ length: CLASS_SIZE - 1 }, (_, j) => classes.map(([teacher, ...rest]) => ({ student: rest[j]!, roomnum: teacher!.roomnum! }))).flat();
  await forEachInBatches(students, 50, async ({ student, roomnum }) => {
    await call(base, "live", "reportmemid", { token: student.token, roomnum, operate: 0 });
    student.roomnum = roomnum;
  });
}

/** Each user's heartbeat, classes interleaved: consecutive requests beat in different classes, as a fleet's do. */
function heartbeatBodies(classes: User[][]): string {
  const bodies: string[] = [];
  for (let j = 0; j < CLASS_SIZE; j++) for (const members of classes) bodies.push(JSON.stringify({ appid: APP.sdkAppId, timeStamp: 1, token: members[j]!.token, roomnum: members[j]!.roomnum }));
  return `${bodies.join("\n")}\n`;
}

/** Long enough for one pass over every user at a first beat's slower pace (its session leaves PostgreSQL for Redis and memory). */
const passSeconds = (classes: User[][]) => Math.max(5, Math.ceil((classes.length * CLASS_SIZE) / 3000));

interface Load {
  requestsPerSecond: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

const WRK_SCRIPT = `
local bodies = {}
local counter = 0
errors = 0
local threads = {}
function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end
function init(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  counter = offset % #bodies
end
function request()
  counter = counter + 1
  if counter > #bodies then counter = 1 end
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, bodies[counter])
end
function response(status, headers, body)
  if status ~= 200 or (expected ~= nil and body ~= expected) then errors = errors + 1 end
end
function done(summary, latency, requests)
  local e = 0
  for _, thread in ipairs(threads) do e = e + thread:get("errors") end
  io.write(string.format("FIGURES %d %f %f %f %d\\n", summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, e + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
`;

/** wrk unless it is missing or BENCH_LOAD=autocannon asks for the fallback. */
function hasWrk(): boolean {
  if (process.env.BENCH_LOAD === "autocannon") return false;
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
    return true;
  } catch (error) {
    return (error as { status?: number }).status === 1; // wrk --version exits 1 after printing its version
  }
}

/**
 * wrk's pacing, when a rate is set: each request takes the next slot of a fixed schedule (one
 * every 1/rate s from the first), waiting for it if early (wrk's delay(), in ms; the clock through
 * LuaJIT's FFI). A connection whose answer comes after its slot sends at once: late answers are
 * measured, not hidden.
 */
const WRK_PACING = `
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } pacing_timespec; int clock_gettime(int clock, pacing_timespec *now); ]]
local clock = ffi.new("pacing_timespec")
local function now_ms() ffi.C.clock_gettime(1, clock); return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6 end
local slots, first = 0, nil
function delay()
  first = first or now_ms()
  slots = slots + 1
  local wait = first + slots * 1000 / rate - now_ms()
  if wait < 0 then return 0 end
  return wait
end
`;

/** Drives `url` with the bodies for `seconds` (at `rate` requests per second if given, else as fast as it answers): wrk in its own process (autocannon in its own process without wrk). */
async function drive(url: string, bodiesFile: string, expected: string | undefined, seconds: number, dir: string, rate?: number): Promise<Load> {
  const script = join(dir, "fleet.lua");
  const globals = (expected === undefined ? "" : `expected = ${JSON.stringify(expected)}\n`) + (rate === undefined ? "" : `rate = ${rate}\n${WRK_PACING}`);
  writeFileSync(script, globals + WRK_SCRIPT);
  const output = hasWrk()
    ? await run("wrk", ["-t1", `-c${CONNECTIONS}`, `-d${seconds}s`, "--timeout", "5s", "-s", script, url, "--", bodiesFile])
    : await run(process.execPath, [join(__dirname, "support", "autocannon-fleet.js"), url, bodiesFile, String(CONNECTIONS), String(seconds), expected ?? "", String(rate ?? "")]);
  const line = output.split("\n").find((l) => l.startsWith("FIGURES "));
  if (!line) throw new Error(`no figures from the load generator:\n${output}`);
  const [requests, rps, p50, p99, errors] = line.slice("FIGURES ".length).split(" ").map(Number);
  return { requests: requests!, requestsPerSecond: rps!, p50Ms: p50!, p99Ms: p99!, errors: errors! };
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`${command} exited with ${code}:\n${text}`))));
  });
}

interface Measured extends Load {
  /** CPU per request, µs, of the target process and (the server only) Redis. */
  cpuUs: number;
  redisCpuUs: number;
  /** CPU the hypervisor took from the VM meanwhile, ms per second (all cores): the machine was not idle. */
  stolenMsPerS: number;
}

async function measure(url: string, pid: number, bodiesFile: string, expected: string | undefined, dir: string, withRedis: boolean, rate?: number): Promise<Measured> {
  const rPid = withRedis ? redisPid(REDIS_URL) : undefined;
  const [cpu0, redis0, stolen0] = [cpuSeconds(pid), rPid ? cpuSeconds(rPid) : 0, stolenSeconds()];
  const load = await drive(url, bodiesFile, expected, DURATION_S, dir, rate);
  const [cpu1, redis1, stolen1] = [cpuSeconds(pid), rPid ? cpuSeconds(rPid) : 0, stolenSeconds()];
  return { ...load, cpuUs: ((cpu1 - cpu0) / load.requests) * 1e6, redisCpuUs: ((redis1 - redis0) / load.requests) * 1e6, stolenMsPerS: ((stolen1 - stolen0) / DURATION_S) * 1000 };
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

interface Target {
  name: string;
  url: string;
  pid: number;
  expected: string | undefined;
  redis: boolean;
}

/**
 * Brings every target to its steady state before anything is measured: ours (and the variant)
 * first beat once for every user (a first beat reads the session from Redis into memory; its
 * figures are returned: what a start costs), then every target runs WARM_UP_S at full load.
 */
async function warmUp(targets: Target[], bodiesFile: string, dir: string, passS: number): Promise<Load> {
  const ours = targets.filter((t) => t.redis);
  const passes = [];
  for (const target of ours) passes.push(await drive(target.url, bodiesFile, target.expected, passS, dir));
  for (const target of targets) await drive(target.url, bodiesFile, target.expected, WARM_UP_S, dir);
  return passes[0]!;
}

function fleetOf(): User[][] {
  return Array.from({ length: CLASSES }, (_, c) =>
    Array.from({ length: CLASS_SIZE }, (_, j): User => ({ uid: j === 0 ? `fleet-t${c}` : `fleet-s${c}-${j}`, role: j === 0 ? 1 : 0, token: randomBytes(24).toString("base64url") })),
  );
}

async function main(): Promise<void> {
  await resetStores(DATABASE_URL, REDIS_URL);
  const dir = mkdtempSync(join(tmpdir(), "sxb-fleet-"));
  const im = await launchTencentEmulator([APP]);
  const [setupPort, serverPort, koaPort, nodePort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const serverEnv = (port: number) => ({ PORT: String(port), HOST: "127.0.0.1", DATABASE_URL, REDIS_URL, SDK_APPS: JSON.stringify([APP]), IM_BASE_URL: im.url, LOG_LEVEL: "warn", SHUTDOWN_DRAIN_MS: "0" });
  // The fleet is seated by a server of its own: the one measured starts afresh (nothing warm in memory, as after a deployment).
  // Its reaper is off: seating takes minutes, longer than a member's timeout, and members it
  // dropped would rejoin (SQL) on their first measured beats.
  const setup = launch("src/main.js", { ...serverEnv(setupPort), REAPER_ENABLED: "false", REPLAY_INDEX_ENABLED: "false" }, "ignore", { profiled: false });
  const classes = fleetOf();
  const bodiesFile = join(dir, "bodies.txt");
  try {
    const setupBase = `http://127.0.0.1:${setupPort}`;
    await waitFor(`${setupBase}/readyz`);
    await insertAccounts(classes);
    const seated = Date.now();
    await seatFleet(setupBase, classes);
    writeFileSync(bodiesFile, heartbeatBodies(classes));
    // Everyone beats once more at the end of the seating: the fleet is as fresh as a running one.
    await drive(`${setupBase}${HEARTBEAT_PATH}`, bodiesFile, SUCCESS, passSeconds(classes), dir);
    console.log(`setup: ${CLASSES} classes × ${CLASS_SIZE} users (${CLASSES * CLASS_SIZE} logged in and in class) in ${((Date.now() - seated) / 1000).toFixed(0)} s`);
  } finally {
    await stopped(setup);
  }
  const server = launch("src/main.js", serverEnv(serverPort));
  const variantPort = VARIANT ? await freePort() : undefined;
  const variant = variantPort === undefined ? undefined : launch("src/main.js", serverEnv(variantPort), "ignore", { nodeArgs: VARIANT_NODE_ARGS, dist: VARIANT_DIST || undefined });
  const koa = launch("scripts/bare-server.js", { PORT: String(koaPort) });
  const node = launch("scripts/bare-server.js", { PORT: String(nodePort), BARE: "node" });
  try {
    const base = `http://127.0.0.1:${serverPort}`;
    const variantBase = `http://127.0.0.1:${variantPort}`;
    await Promise.all([waitFor(`${base}/readyz`), waitFor(`http://127.0.0.1:${koaPort}/`), waitFor(`http://127.0.0.1:${nodePort}/`), variant ? waitFor(`${variantBase}/readyz`) : null]);
    console.log(`load: wrk ${hasWrk() ? "" : "missing, autocannon "}with ${CONNECTIONS} connections, ${DURATION_S} s per target, ${ROUNDS} rounds; each request the next user's heartbeat\n`);
    const targets: Target[] = [
      { name: OURS, url: `${base}${HEARTBEAT_PATH}`, pid: server.pid!, expected: SUCCESS, redis: true },
      ...(variant ? [{ name: `ours with ${VARIANT}`, url: `${variantBase}${HEARTBEAT_PATH}`, pid: variant.pid!, expected: SUCCESS, redis: true }] : []),
      { name: "bare Koa {}", url: `http://127.0.0.1:${koaPort}${HEARTBEAT_PATH}`, pid: koa.pid!, expected: undefined, redis: false },
      { name: "bare node:http {}", url: `http://127.0.0.1:${nodePort}${HEARTBEAT_PATH}`, pid: node.pid!, expected: undefined, redis: false },
    ];
    const start = await warmUp(targets, bodiesFile, dir, passSeconds(classes));
    const results: Array<Record<string, Measured>> = [];
    const paced: Array<Record<string, Measured>> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const figures: Record<string, Measured> = {};
      for (const target of targets) figures[target.name] = await measure(target.url, target.pid, bodiesFile, target.expected, dir, target.redis);
      results.push(figures);
      const atPace: Record<string, Measured> = {};
      for (const target of targets) atPace[target.name] = await measure(target.url, target.pid, bodiesFile, target.expected, dir, target.redis, FLEET_PACE);
      paced.push(atPace);
    }
    console.log(`start (each server's first ${passSeconds(classes)} s, every user's first beat): ours ${start.requestsPerSecond.toFixed(0)} beats/s, p50 / p99 ${start.p50Ms.toFixed(1)} / ${start.p99Ms.toFixed(1)} ms, errors ${start.errors}\n`);
    console.log("as fast as each target answers:");
    const loadMet = report(results, true);
    console.log(`\nat the fleet's own pace, ${FLEET_PACE} beats/s (every user every ${BEAT_INTERVAL_S} s):`);
    const paceMet = report(paced, false);
    console.log(loadMet && paceMet ? "targets met" : "TARGETS MISSED");
  } finally {
    server.kill("SIGTERM");
    variant?.kill("SIGTERM");
    koa.kill("SIGTERM");
    node.kill("SIGTERM");
    im.process.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The table of one kind of load and its verdict: at full load every target (CPU, throughput, p99, errors); at the fleet's pace p99 and errors (throughput is the pace's). */
function report(results: Array<Record<string, Measured>>, fullLoad: boolean): boolean {
  const cell = (value: number, digits = 0) => value.toFixed(digits);
  console.log("| round | target | beats/s | p50 / p99 ms | CPU µs per request (server + Redis) | errors | VM steal ms/s |");
  console.log("|---|---|---|---|---|---|---|");
  results.forEach((figures, round) => {
    for (const [name, f] of Object.entries(figures)) {
      const cpu = f.redisCpuUs > 0 ? `${cell(f.cpuUs)} + ${cell(f.redisCpuUs)}` : cell(f.cpuUs);
      console.log(`| ${round + 1} | ${name} | ${cell(f.requestsPerSecond)} | ${cell(f.p50Ms, 1)} / ${cell(f.p99Ms, 1)} | ${cpu} | ${f.errors} | ${cell(f.stolenMsPerS)} |`);
    }
  });
  let met = true;
  results.forEach((figures, round) => {
    const ours = figures[OURS]!;
    const koa = figures["bare Koa {}"]!;
    for (const [name, f] of Object.entries(figures)) {
      if (name.startsWith("ours with")) console.log(`round ${round + 1}: ${name}: CPU per beat ${(f.cpuUs / koa.cpuUs).toFixed(2)} × bare Koa's, ${(f.cpuUs / ours.cpuUs).toFixed(2)} × ours; throughput ${(f.requestsPerSecond / koa.requestsPerSecond).toFixed(2)} × bare Koa's`);
    }
    const cpuRatio = ours.cpuUs / koa.cpuUs;
    const throughput = ours.requestsPerSecond / koa.requestsPerSecond;
    const latency = `p99 ${ours.p99Ms.toFixed(1)} ms (target ≤ 10); errors ${ours.errors} (target 0)`;
    // At the pace a server that falls behind sends late answers, whose latency counts; a pace not kept is a miss all the same.
    const kept = fullLoad || ours.requestsPerSecond >= 0.98 * FLEET_PACE;
    console.log(`round ${round + 1}: server CPU per beat ${cpuRatio.toFixed(2)} × bare Koa's${fullLoad ? " (target ≤ 1.5)" : ""}; throughput ${throughput.toFixed(2)} × ${fullLoad ? "(target ≥ 0.65)" : "(the pace kept)"}; ${latency}`);
    met &&= kept && ours.p99Ms <= 10 && ours.errors === 0 && (!fullLoad || (cpuRatio <= 1.5 && throughput >= 0.65));
  });
  return met;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
