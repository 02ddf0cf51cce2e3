import { ConfigError, loadConfig, loadDotEnv } from "../config";
import { migrate } from "../infra/db/migrate";
import { createDb } from "../infra/db/prisma";
import { createRedis } from "../infra/redis/client";
import { ImClient } from "../infra/tencent/im";
import { createLogger } from "../logger";
import { createServices } from "../services";
import { Reaper } from "./reaper";

/** `npm run reaper`: the reaper alone, for deployments that keep it off the API instances. */
async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  await migrate(config.databaseUrl);
  const { db } = createDb(config.databaseUrl);
  const redis = createRedis(config.redisUrl);
  const im = new ImClient({ baseUrl: config.imBaseUrl, timeoutMs: config.imTimeoutMs });
  const reaper = new Reaper({ config, services: createServices({ config, db, redis, im, log }), log });
  reaper.start();
  log.info({ intervalMs: config.reaperIntervalMs }, "reaper running");
  const stop = () => {
    reaper
      .stop()
      .then(() => Promise.allSettled([db.$disconnect(), redis.quit()]))
      .then(() => process.exit(0), () => process.exit(1));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error("reaper failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
