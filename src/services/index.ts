import type { Config } from "../config";
import type { Db } from "../infra/db/prisma";
import type { RedisClient } from "../infra/redis/client";
import type { ImClient } from "../infra/tencent/im";
import type { Logger } from "../logger";
import { AccountService } from "./accounts";
import { SessionService } from "./sessions";

export interface ServiceDeps {
  config: Config;
  db: Db;
  redis: RedisClient;
  im: ImClient;
  log: Logger;
}

/** The core: every door and worker calls these, never infra directly. */
export interface Services {
  sessions: SessionService;
  accounts: AccountService;
}

export function createServices(deps: ServiceDeps): Services {
  const sessions = new SessionService(deps);
  const accounts = new AccountService({ ...deps, sessions });
  return { sessions, accounts };
}
