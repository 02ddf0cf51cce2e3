import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "./config";
import { createApp } from "./http/app";
import { hotDoor } from "./http/protocol/hot-door";
import { listenForMetrics, METRICS_PATH } from "./http/metrics-door";
import type { Metrics } from "./metrics/metrics";
import { answerClientError } from "./http/client-error";
import type { FailingChecks, ReadinessCheck } from "./http/health";
import type { Db } from "./infra/db/prisma";
import type { RedisClient } from "./infra/redis/client";
import { createLogger, type Logger } from "./logger";
import { createRuntime, type Runtime, type RuntimeHooks } from "./runtime";
import type { Services } from "./services";
import { Reaper } from "./workers/reaper";
import { WebhookWorker } from "./workers/webhook-worker";
import { ReplayScheduler } from "./workers/replay-scheduler";

/** A running instance: HTTP server plus its connections (and background workers). */
export interface RunningServer {
  url: string;
  config: Config;
  services: Services;
  db: Db;
  redis: RedisClient;
  log: Logger;
  /** What it exports to Prometheus. */
  metrics: Metrics;
  /** This instance's reaper (running when REAPER_ENABLED). */
  reaper: Reaper;
  /** This instance's replay index scheduler (running when REPLAY_INDEX_ENABLED). */
  replayScheduler: ReplayScheduler;
  /**
   * Graceful: stops accepting, lets requests in flight finish (SHUTDOWN_GRACE_MS at most) and the workers' runs end,
   * then closes the pools. With `drainMs` (what SIGTERM runs) it first drains: /readyz answers 503 and every answer
   * closes its connection, while the instance goes on accepting and answering that long. A later call ends the
   * drain at once (a second signal) and resolves with the first.
   */
  close(options?: CloseOptions): Promise<void>;
}

export interface CloseOptions {
  /** How long to keep serving while the load balancer takes this instance out (0: stop accepting at once). */
  drainMs?: number;
}

/** A readiness probe answers within this long, whatever PostgreSQL and Redis do. */
const READY_PROBE_MS = 1000;
/** How often Node checks requests against their time limit (its default, 30 s, would make the limit that coarse). */
const TIMEOUT_CHECK_MS = 1000;

function withinMs<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The readiness checks failing now: draining at once, else PostgreSQL and Redis each within READY_PROBE_MS. */
function readinessOf(db: Db, redis: RedisClient, isDraining: () => boolean): FailingChecks {
  return async () => {
    // Draining answers at once: the load balancer must see it on its next probe, whatever the dependencies do.
    if (isDraining()) return ["draining"];
    const [postgres, redisAnswer] = await Promise.allSettled([withinMs(READY_PROBE_MS, db.$queryRawUnsafe("SELECT 1")), withinMs(READY_PROBE_MS, redis.ping())]);
    const failed: ReadinessCheck[] = [];
    if (postgres.status === "rejected") failed.push("postgres");
    if (redisAnswer.status === "rejected") failed.push("redis");
    return failed;
  };
}

/** Applies migrations, connects PostgreSQL and Redis, and serves. */
export async function startServer(config: Config, options: { log?: Logger; hooks?: RuntimeHooks } = {}): Promise<RunningServer> {
  const log = options.log ?? createLogger(config.logLevel, undefined, { pretty: config.logPretty });
  // The built-in replay index's links name this server: its address once it listens (unless PUBLIC_URL says).
  const listening: { url?: string } = {};
  const runtime = await createRuntime(config, log, options.hooks, () => listening.url ?? `http://127.0.0.1:${config.port}`);
  const { db, redis, services } = runtime;

  const state = { draining: false };
  const { metrics } = runtime;
  const app = createApp({ config, services, log, metrics, failingChecks: readinessOf(db, redis, () => state.draining) });
  const handler = app.callback();
  const hot = hotDoor({ config, services, log, metrics });
  const server: Server = createServer(
    // Requests must arrive whole in time; the protocol door's own body timer answers first (with its envelope).
    { requestTimeout: config.bodyTimeoutMs + 1000, headersTimeout: config.bodyTimeoutMs, connectionsCheckingInterval: TIMEOUT_CHECK_MS },
    (req: IncomingMessage, res: ServerResponse) => {
      // While draining every answer says `Connection: close` and closes its connection (whatever Koa does to the
      // headers of an error): keep-alive clients reconnect, through the load balancer, to another instance.
      if (state.draining) res.shouldKeepAlive = false;
      if (!hot(req, res)) void handler(req, res);
    },
  );
  server.keepAliveTimeout = 65000;
  server.on("clientError", answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  const url = `http://${host}:${port}`;
  listening.url = url;
  log.info({ url }, "serving");
  const metricsServer = metrics.enabled && config.metrics.port !== undefined ? await listenForMetrics(metrics, config.metrics.port, config.host) : undefined;
  if (metricsServer) log.info({ url: `http://${host}:${(metricsServer.address() as AddressInfo).port}${METRICS_PATH}` }, "metrics served apart");
  const reaper = new Reaper({ config, services, log, metrics });
  if (config.reaperEnabled) reaper.start();
  const replayScheduler = new ReplayScheduler({ config, services, log });
  if (config.replayIndex.enabled) replayScheduler.start();
  const webhookWorker = new WebhookWorker({ config, services, log });
  webhookWorker.start();

  const shutdown = shutdownOf({ server, config, log, workers: [reaper, replayScheduler, webhookWorker], runtime, startDraining: () => (state.draining = true) });
  // Metrics apart are scraped until the very end.
  const close: RunningServer["close"] = (options) =>
    shutdown(options).finally(() => {
      metricsServer?.closeAllConnections();
      metricsServer?.close();
    });
  return { url, config, services, db, redis, log, metrics, reaper, replayScheduler, close };
}

/**
 * The instance's close(): drain if asked, then stop accepting (Node closes idle connections at once, and each busy
 * one once its answer is sent), wait for the requests in flight until none is left or the grace period ends and
 * the rest are cut, let the workers' runs end, and close the pools. Once only: a later call ends the drain.
 */
function shutdownOf(parts: {
  server: Server;
  config: Config;
  log: Logger;
  workers: ReadonlyArray<{ stop(): Promise<void> }>;
  runtime: Runtime;
  startDraining: () => void;
}): RunningServer["close"] {
  const { server, config, log } = parts;
  let closing: Promise<void> | undefined;
  let endDrain = () => {};
  const drain = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      endDrain = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const stop = async () => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    log.info({ graceMs: config.shutdownGraceMs }, "not accepting; finishing the requests in flight");
    const workersDone = Promise.all(parts.workers.map((worker) => worker.stop()));
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([stopped, new Promise<void>((resolve) => (grace = setTimeout(resolve, config.shutdownGraceMs)))]);
    clearTimeout(grace);
    server.closeAllConnections();
    await Promise.all([stopped, workersDone]);
    await parts.runtime.close();
  };
  const close = async (drainMs: number) => {
    if (drainMs > 0) await drain(drainMs);
    await stop();
  };
  return (options = {}) => {
    if (closing) {
      endDrain();
      return closing;
    }
    // At once, before anything waits: the next probe answers 503, the next answer closes its connection.
    parts.startDraining();
    closing = close(options.drainMs ?? 0);
    return closing;
  };
}
