import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "./config";
import { createApp } from "./http/app";
import { answerClientError } from "./http/client-error";
import type { Db } from "./infra/db/prisma";
import type { RedisClient } from "./infra/redis/client";
import { createLogger, type Logger } from "./logger";
import { createRuntime, type RuntimeHooks } from "./runtime";
import type { Services } from "./services";
import { Reaper } from "./workers/reaper";
import { ReplayScheduler } from "./workers/replay-scheduler";

/** A running instance: HTTP server plus its connections (and background workers). */
export interface RunningServer {
  url: string;
  config: Config;
  services: Services;
  db: Db;
  redis: RedisClient;
  log: Logger;
  /** This instance's reaper (running when REAPER_ENABLED). */
  reaper: Reaper;
  /** This instance's replay index scheduler (running when REPLAY_INDEX_ENABLED). */
  replayScheduler: ReplayScheduler;
  /** Graceful: stops accepting, lets requests in flight finish (SHUTDOWN_GRACE_MS at most) and the workers' runs end, then closes the pools. */
  close(): Promise<void>;
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

/** Applies migrations, connects PostgreSQL and Redis, and serves. */
export async function startServer(config: Config, options: { log?: Logger; hooks?: RuntimeHooks } = {}): Promise<RunningServer> {
  const log = options.log ?? createLogger(config.logLevel);
  // The built-in replay index's links name this server: its address once it listens (unless PUBLIC_URL says).
  const listening: { url?: string } = {};
  const runtime = await createRuntime(config, log, options.hooks, () => listening.url ?? `http://127.0.0.1:${config.port}`);
  const { db, redis, services } = runtime;

  const ready = async () => {
    await withinMs(READY_PROBE_MS, Promise.all([db.$queryRawUnsafe("SELECT 1"), redis.ping()]));
    return true;
  };
  const app = createApp({ config, services, log, ready });
  const handler = app.callback();
  const server: Server = createServer(
    // Requests must arrive whole in time; the protocol door's own body timer answers first (with its envelope).
    { requestTimeout: config.bodyTimeoutMs + 1000, headersTimeout: config.bodyTimeoutMs, connectionsCheckingInterval: TIMEOUT_CHECK_MS },
    (req: IncomingMessage, res: ServerResponse) => void handler(req, res),
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
  const reaper = new Reaper({ config, services, log });
  if (config.reaperEnabled) reaper.start();
  const replayScheduler = new ReplayScheduler({ config, services, log });
  if (config.replayIndex.enabled) replayScheduler.start();

  let closing: Promise<void> | undefined;
  // Node closes idle connections at close(), and each busy one once its answer is sent:
  // `stopped` resolves when none is left, or the grace period ends and the rest are cut.
  const close = async () => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    const sweepDone = Promise.all([reaper.stop(), replayScheduler.stop()]);
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([stopped, new Promise<void>((resolve) => (grace = setTimeout(resolve, config.shutdownGraceMs)))]);
    clearTimeout(grace);
    server.closeAllConnections();
    await Promise.all([stopped, sweepDone]);
    await runtime.close();
  };
  return { url, config, services, db, redis, log, reaper, replayScheduler, close: () => (closing ??= close()) };
}
