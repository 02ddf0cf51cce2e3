import autocannon from "autocannon";
import { forEachInBatches } from "../src/lib/batches";
import type { ChildProcess } from "node:child_process";
import { cpuSeconds, freePort, launch, launchTencentEmulator, waitFor } from "./support/processes";
import { resetStores } from "./support/stores";

/**
 * `npm run bench` (2/3): live.heartbeat of one class over the real HTTP protocol against the
 * real server (its own process, PostgreSQL, Redis), compared with a bare Koa endpoint that
 * only answers {} (also its own process), each driven by autocannon: 64 connections,
 * keep-alive, 10 s. Then the same server with METRICS_ENABLED=false, alternating with the
 * metered one three times, each server's CPU per beat read from /proc: what the metrics cost.
 * Both run without a reaper (bench-reaper.ts measures it), so only the metrics differ.
 * Targets (2 cores): ratio ≥ 0.6, p99 ≤ 25 ms, zero errors, metrics cost ≤ 5 % of the
 * throughput.
 */

const STUDENTS = Number(process.env.BENCH_STUDENTS ?? 1000);
const CONNECTIONS = 64;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const APP = { sdkAppId: 1400000000, secretKey: "bench-secret-key", admin: "administrator" };
const DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/sxb_edu_bench";
const REDIS_URL = "redis://127.0.0.1:6379/14";

async function call(base: string, svc: string, cmd: string, body: Record<string, unknown>) {
  const response = await fetch(`${base}/index.php?svc=${svc}&cmd=${cmd}`, { method: "POST", body: JSON.stringify({ appid: APP.sdkAppId, timeStamp: 1, ...body }) });
  const answer = (await response.json()) as { errorCode: number; errorInfo: string; data?: Record<string, unknown> };
  if (answer.errorCode !== 0) throw new Error(`${svc}.${cmd}: ${answer.errorCode} ${answer.errorInfo}`);
  return answer.data;
}

async function loginAs(base: string, id: string, role: 0 | 1): Promise<string> {
  await call(base, "account", "regist", { id, pwd: "YmVuY2g=", role });
  return (await call(base, "account", "login", { id, pwd: "YmVuY2g=" }))!.token as string;
}

interface Figures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** The server process's CPU per request, µs (when measured). */
  cpuUs?: number;
}

/** A run with the server's CPU per request read from /proc around it. */
async function driveMeasured(url: string, bodies: string[], server: ChildProcess): Promise<Figures> {
  const before = cpuSeconds(server.pid!);
  const figures = await drive(url, bodies);
  const requests = figures.requestsPerSecond * DURATION_S;
  return { ...figures, cpuUs: ((cpuSeconds(server.pid!) - before) / requests) * 1e6 };
}

async function drive(url: string, bodies: string[]): Promise<Figures> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    pipelining: 1,
    method: "POST",
    headers: { "content-type": "application/json" },
    requests: [
      {
        setupRequest: (request) => {
          next = (next + 1) % bodies.length;
          return { ...request, body: bodies[next] };
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx + (result.mismatches ?? 0),
  };
}

async function main(): Promise<void> {
  await resetStores(DATABASE_URL, REDIS_URL);
  const im = await launchTencentEmulator([APP]);
  const [serverPort, barePort, unmeteredPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const serverEnv = (port: number) => ({
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL,
    REDIS_URL,
    SDK_APPS: JSON.stringify([APP]),
    IM_BASE_URL: im.url,
    LOG_LEVEL: "warn",
    PASSWORD_SCRYPT_N: "1024",
    REAPER_ENABLED: "false",
    // A thousand logins from one address in a few seconds, and each student beating many times a second: not abuse here.
    LOGIN_PER_ADDRESS_PER_MINUTE: "0",
    HEARTBEATS_PER_MINUTE: "0",
  });
  // The class is set up through a server of its own, stopped before measuring: the two measured
  // servers, with metrics and without, share the stores and have the same history.
  const setupPort = await freePort();
  const setup = launch("src/main.js", serverEnv(setupPort));
  const server = launch("src/main.js", serverEnv(serverPort));
  const unmetered = launch("src/main.js", { ...serverEnv(unmeteredPort), METRICS_ENABLED: "false" });
  const bare = launch("scripts/bare-server.js", { PORT: String(barePort) });
  try {
    const setupBase = `http://127.0.0.1:${setupPort}`;
    const base = `http://127.0.0.1:${serverPort}`;
    const unmeteredBase = `http://127.0.0.1:${unmeteredPort}`;
    await Promise.all([waitFor(`${setupBase}/readyz`), waitFor(`${base}/readyz`), waitFor(`${unmeteredBase}/readyz`), waitFor(`http://127.0.0.1:${barePort}/`)]);

    const teacher = await loginAs(setupBase, "bench-teacher", 1);
    const roomnum = (await call(setupBase, "live", "create", { token: teacher, title: "bench" }))!.roomnum as number;
    await call(setupBase, "live", "startcourse", { token: teacher, roomnum });
    const tokens = [teacher];
    const ids = Array.from({ length: STUDENTS }, (_, i) => `bench-student-${i}`);
    await forEachInBatches(ids, 25, async (id) => {
      const token = await loginAs(setupBase, id, 0);
      await call(setupBase, "live", "reportmemid", { token, roomnum, operate: 0 });
      tokens.push(token);
    });
    setup.kill("SIGTERM");
    const bodies = tokens.map((token) => JSON.stringify({ appid: APP.sdkAppId, timeStamp: 1, token, roomnum }));
    console.log(`setup: 1 teacher + ${STUDENTS} students in class ${roomnum}; ${CONNECTIONS} connections, ${DURATION_S} s each\n`);

    // Warm all three alike (JIT, connection pools, course facts, every token once) before measuring.
    const heartbeatUrl = (at: string) => `${at}/index.php?svc=live&cmd=heartbeat`;
    for (const url of [heartbeatUrl(base), heartbeatUrl(unmeteredBase), `http://127.0.0.1:${barePort}/index.php`]) {
      await autocannon({ url, connections: 8, amount: 2000, method: "POST", body: bodies[0] });
      await forEachInBatches(bodies, 50, async (body) => void (await fetch(url, { method: "POST", body })).arrayBuffer());
    }
    const check = (await (await fetch(heartbeatUrl(base), { method: "POST", body: bodies[1] })).json()) as { errorCode: number };
    if (check.errorCode !== 0) throw new Error(`heartbeat answered ${JSON.stringify(check)}`);
    const baseline = await drive(`http://127.0.0.1:${barePort}/index.php`, bodies);

    // Metrics on and off, alternating three times: the machine's drift falls on both alike.
    const metered: Figures[] = [];
    const unmeteredRuns: Figures[] = [];
    for (let round = 0; round < 3; round += 1) {
      metered.push(await driveMeasured(heartbeatUrl(base), bodies, server));
      unmeteredRuns.push(await driveMeasured(heartbeatUrl(unmeteredBase), bodies, unmetered));
    }
    const heartbeat = metered[0]!;
    const mean = (runs: Figures[], of: (f: Figures) => number) => runs.reduce((sum, f) => sum + of(f), 0) / runs.length;
    const metricsCost = 1 - mean(metered, (f) => f.requestsPerSecond) / mean(unmeteredRuns, (f) => f.requestsPerSecond);
    const metricsCpuCost = mean(metered, (f) => f.cpuUs!) / mean(unmeteredRuns, (f) => f.cpuUs!) - 1;

    const ratio = heartbeat.requestsPerSecond / baseline.requestsPerSecond;
    const row = (name: string, f: Figures) =>
      `${name.padEnd(16)} ${f.requestsPerSecond.toFixed(0).padStart(8)} ${String(f.p50).padStart(8)} ${String(f.p99).padStart(8)} ${String(f.errors).padStart(7)}`;
    console.log(`${"endpoint".padEnd(16)} ${"req/s".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"errors".padStart(7)}`);
    console.log(row("live.heartbeat", heartbeat));
    console.log(row("bare Koa {}", baseline));
    console.log(`\nratio heartbeat/bare: ${ratio.toFixed(2)} (target ≥ 0.6); heartbeat p99 ${heartbeat.p99} ms (target ≤ 25); errors ${heartbeat.errors} (target 0)`);
    console.log(
      `metrics on: ${metered.map((f) => f.requestsPerSecond.toFixed(0)).join(" / ")} req/s; off: ${unmeteredRuns.map((f) => f.requestsPerSecond.toFixed(0)).join(" / ")} req/s; metrics cost ${(metricsCost * 100).toFixed(1)} % of the throughput (target ≤ 5 %)`,
    );
    console.log(
      `server CPU per beat, metrics on: ${metered.map((f) => f.cpuUs!.toFixed(1)).join(" / ")} µs; off: ${unmeteredRuns.map((f) => f.cpuUs!.toFixed(1)).join(" / ")} µs; ${(metricsCpuCost * 100).toFixed(1)} % more CPU with metrics`,
    );
    const met = ratio >= 0.6 && heartbeat.p99 <= 25 && heartbeat.errors === 0 && metricsCost <= 0.05;
    console.log(met ? "targets met" : "TARGETS MISSED");
  } finally {
    setup.kill("SIGTERM");
    server.kill("SIGTERM");
    unmetered.kill("SIGTERM");
    bare.kill("SIGTERM");
    im.process.kill("SIGTERM");
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
