import { type Config, ConfigError, loadConfig, loadDotEnv } from "./config";
import { migrate } from "./infra/db/migrate";
import { createDb, type Db } from "./infra/db/prisma";
import { connectRedis, type RedisClient } from "./infra/redis/client";
import { ImClient } from "./infra/tencent/im";
import { VodClient } from "./infra/tencent/vod";
import type { Logger } from "./logger";
import { createServices, type Services } from "./services";

/** What every process (server, standalone reaper) builds at start: migrated database, connections, services. */
export interface Runtime {
  db: Db;
  redis: RedisClient;
  services: Services;
  close(): Promise<void>;
}

export interface RuntimeHooks {
  /** Test hook: called for every SQL statement. */
  onDbQuery?: () => void;
}

export async function createRuntime(config: Config, log: Logger, hooks: RuntimeHooks = {}): Promise<Runtime> {
  const applied = await migrate(config.databaseUrl);
  if (applied.length > 0) log.info({ applied }, "migrations applied");
  const db = createDb(config.databaseUrl, { poolSize: config.databasePoolSize, timeoutMs: config.databaseTimeoutMs, onQuery: hooks.onDbQuery });
  const redis = await connectRedis(config.redisUrl, { commandTimeoutMs: config.redisCommandTimeoutMs });
  const im = new ImClient({ baseUrl: config.imBaseUrl, timeoutMs: config.imTimeoutMs });
  const vod = new VodClient({ credentials: config.cloud, endpoint: config.vod.endpoint, v2BaseUrl: config.vod.v2BaseUrl, timeoutMs: config.vod.timeoutMs });
  const services = createServices({ config, db, redis, im, vod, log });
  await Promise.all([db.$queryRawUnsafe("SELECT 1"), redis.ping()]);
  return {
    db,
    redis,
    services,
    async close() {
      await Promise.allSettled([db.$disconnect(), redis.quit()]);
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
