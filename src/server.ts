import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "./config";
import { createApp } from "./http/app";
import type { Db } from "./infra/db/prisma";
import type { RedisClient } from "./infra/redis/client";
import { createLogger, type Logger } from "./logger";
import { createRuntime, type RuntimeHooks } from "./runtime";
import type { Services } from "./services";
import { Reaper } from "./workers/reaper";

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
  close(): Promise<void>;
}

/** Applies migrations, connects PostgreSQL and Redis, and serves. */
export async function startServer(config: Config, options: { log?: Logger; hooks?: RuntimeHooks } = {}): Promise<RunningServer> {
  const log = options.log ?? createLogger(config.logLevel);
  const runtime = await createRuntime(config, log, options.hooks);
  const { db, redis, services } = runtime;

  const ready = async () => {
    await Promise.all([db.$queryRawUnsafe("SELECT 1"), redis.ping()]);
    return true;
  };
  const app = createApp({ config, services, log, ready });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once("error", reject);
  });
  server.keepAliveTimeout = 65000;
  const { port } = server.address() as AddressInfo;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  const url = `http://${host}:${port}`;
  log.info({ url }, "serving");
  const reaper = new Reaper({ config, services, log });
  if (config.reaperEnabled) reaper.start();

  let closed = false;
  return {
    url,
    config,
    services,
    db,
    redis,
    log,
    reaper,
    async close() {
      if (closed) return;
      closed = true;
      await reaper.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runtime.close();
    },
  };
}
