import { readFileSync } from "node:fs";
import { type Config, ConfigError, loadConfig, loadDotEnv } from "./config";
import { migrate } from "./infra/db/migrate";
import { createDb, type Db } from "./infra/db/prisma";
import { Broadcast } from "./infra/redis/broadcast";
import { connectRedis, type RedisClient } from "./infra/redis/client";
import { RedisKeys } from "./infra/redis/keys";
import { REPLAY_INDEX_PATH } from "./commands/replay/index-file";
import { REST_PREFIX } from "./commands/rest-mapping";
import { ImClient } from "./infra/tencent/im";
import { ReplayIndexClient } from "./infra/tencent/replay-index";
import { VideorelayClient } from "./infra/tencent/videorelay";
import { VodClient } from "./infra/tencent/vod";
import type { Logger } from "./logger";
import { Metrics, type TencentService } from "./metrics/metrics";
import type { CallOutcome } from "./infra/tencent/call-observer";
import { currentRequestId } from "./tracing/request-scope";
import { createServices, type Services } from "./services";

/** What every process (server, standalone reaper) builds at start: migrated database, connections, services. */
export interface Runtime {
  db: Db;
  redis: RedisClient;
  services: Services;
  metrics: Metrics;
  close(): Promise<void>;
}

export interface RuntimeHooks {
  /** Test hook: called for every SQL statement. */
  onDbQuery?: () => void;
}

/** Where apps reach this instance when PUBLIC_URL does not say (the server knows once it listens). */
export type PublicUrl = () => string;

/** The URL of a class's built-in replay index: this server's route that serves it, with the link's signature. */
function builtInIndexUrlOf(publicUrl: PublicUrl) {
  return (roomnum: number, sig: string) => `${publicUrl()}${REST_PREFIX}${REPLAY_INDEX_PATH.replace(":roomnum", String(roomnum))}?sig=${sig}`;
}

/** The ILVB backend API's mutual TLS: the client certificate and key (and a CA to trust), read once at start. */
function videorelayTlsOf(config: Config) {
  const { certFile, keyFile, caFile } = config.videorelay;
  return { cert: certFile && readFileSync(certFile), key: keyFile && readFileSync(keyFile), ca: caFile && readFileSync(caFile) };
}

export async function createRuntime(config: Config, log: Logger, hooks: RuntimeHooks = {}, listeningUrl?: PublicUrl): Promise<Runtime> {
  const applied = await migrate(config.databaseUrl);
  if (applied.length > 0) log.info({ applied }, "migrations applied");
  const db = createDb(config.databaseUrl, { poolSize: config.databasePoolSize, timeoutMs: config.databaseTimeoutMs, onQuery: hooks.onDbQuery });
  // PostgreSQL answers before Redis is asked anything: the first query loads Prisma's query compiler,
  // which holds the event loop (140 ms here, over a second on a busy machine), and a Redis command
  // sent beside it had its answer read only after the hold, past its timeout: the start failed.
  await db.$queryRawUnsafe("SELECT 1");
  const redisTarget = { url: config.redisUrl, clusterNodes: config.redisClusterNodes, commandTimeoutMs: config.redisCommandTimeoutMs };
  const redis = await connectRedis(redisTarget);
  // The census reads the services, which are made below: asked only when Prometheus scrapes.
  const metrics = new Metrics(config.metrics.enabled, () => services.census.take());
  // Every outbound Tencent call is counted, and logged with the request that caused it (none: background work).
  const observe = (service: TencentService) => (outcome: CallOutcome, seconds: number) => {
    metrics.tencentCall(service, outcome, seconds);
    log.info({ requestId: currentRequestId(), service, outcome, ms: Math.round(seconds * 1e4) / 10 }, "tencent call");
  };
  const im = new ImClient({ baseUrl: config.imBaseUrl, timeoutMs: config.imTimeoutMs, observe: observe("im") });
  const vod = new VodClient({ credentials: config.cloud, endpoint: config.vod.endpoint, v2BaseUrl: config.vod.v2BaseUrl, timeoutMs: config.vod.timeoutMs, observe: observe("vod") });
  const replayIndex = new ReplayIndexClient({ baseUrl: config.replayIndex.serviceUrl ?? "", timeoutMs: config.replayIndex.timeoutMs, observe: observe("replay_index") });
  const publicUrl = () => config.publicUrl ?? listeningUrl?.() ?? `http://127.0.0.1:${config.port}`;
  const videorelay = new VideorelayClient({ baseUrl: config.videorelay.baseUrl, timeoutMs: config.videorelay.timeoutMs, tls: videorelayTlsOf(config), observe: observe("videorelay") });
  const services = createServices({ config, db, redis, im, vod, replayIndex, videorelay, log, metrics, builtInIndexUrl: builtInIndexUrlOf(publicUrl) });
  // Every instance hears of each session that ends, so that none trusts it on (see SessionService).
  const endedSessions = Broadcast.open(redisTarget, RedisKeys.sessionsEnded, {
    onMessage: (tokenHash) => services.sessions.sessionEnded(tokenHash),
    onListening: (listening) => services.sessions.hearingEndedSessions(listening),
  });
  await redis.ping();
  return {
    db,
    redis,
    services,
    metrics,
    async close() {
      videorelay.close();
      im.close();
      replayIndex.close();
      await Promise.allSettled([db.$disconnect(), redis.quit(), endedSessions.close()]);
    },
  };
}

/** Configuration of a process started from the command line: `.env`, then the environment; a bad key exits 2. */
export function configOrExit(): Config {
  loadDotEnv();
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}
