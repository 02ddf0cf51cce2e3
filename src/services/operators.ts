import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Config } from "../config";
import { Errors } from "../errors";
import { isUniqueViolation } from "../infra/db/errors";
import type { Db } from "../infra/db/prisma";
import type { RedisClient } from "../infra/redis/client";
import { RedisKeys } from "../infra/redis/keys";
import type { Logger } from "../logger";
import { hashPassword, verifyPassword } from "./passwords";
import { hashToken } from "./sessions";

/**
 * Console operators (a school's admins, its support desk): accounts apart from the apps'
 * (`Operator`), created with `npm run operator -- add <id>`, each seeing the apps listed.
 * Their sessions live in Redis behind an HttpOnly cookie, with a CSRF token the console
 * sends back on every change. An app's token never opens a console session, nor a console
 * session an app command: the two are read from different places by different doors.
 */

/** A signed-in operator, as a console request knows them. */
export interface OperatorSession {
  operatorId: number;
  uid: string;
  /** The SDK apps this operator may see. */
  apps: number[];
  /** Sent back by the console in X-CSRF-Token on every change. */
  csrf: string;
  /** The cookie's value (kept in memory for this request only; Redis keeps its hash). */
  sessionId: string;
}

type StoredSession = Omit<OperatorSession, "sessionId">;

const randomToken = () => randomBytes(32).toString("base64url");

export class OperatorService {
  /** What an unknown operator's login hashes, so that it takes as long as a known one's. */
  private decoy: Promise<string> | undefined;

  constructor(private readonly deps: { config: Config; db: Db; redis: RedisClient; log: Logger }) {}

  /** A new operator (the CLI's `add`); an id already taken is refused. */
  async add(uid: string, password: string, apps: readonly number[]): Promise<void> {
    const passwordHash = await hashPassword(password, this.deps.config.passwordScryptN);
    try {
      await this.deps.db.operator.create({ data: { uid, passwordHash, apps: [...apps] } });
    } catch (error) {
      if (isUniqueViolation(error)) throw Errors.userExists();
      throw error;
    }
  }

  /** A new session: its cookie value and what it holds. A wrong id or password is one answer (no id is revealed). */
  async login(uid: string, password: string): Promise<{ session: OperatorSession }> {
    const operator = await this.deps.db.operator.findUnique({ where: { uid } });
    const passwordHash = operator?.passwordHash ?? (await (this.decoy ??= hashPassword(randomToken(), this.deps.config.passwordScryptN)));
    if (!(await verifyPassword(password, passwordHash)) || !operator) throw Errors.password();
    const sessionId = randomToken();
    const stored: StoredSession = { operatorId: operator.id, uid: operator.uid, apps: operator.apps, csrf: randomToken() };
    await this.deps.redis.set(RedisKeys.consoleSession(hashToken(sessionId)), JSON.stringify(stored), "EX", this.deps.config.console.sessionIdleS);
    this.deps.log.info({ operator: operator.uid }, "operator signed in");
    return { session: { ...stored, sessionId } };
  }

  /** The session behind a cookie, its idle expiry pushed back; none (or an ended one) answers 10009. */
  async authenticate(sessionId: string | undefined): Promise<OperatorSession> {
    if (!sessionId) throw Errors.consoleSessionMissing();
    const stored = await this.deps.redis.getex(RedisKeys.consoleSession(hashToken(sessionId)), "EX", this.deps.config.console.sessionIdleS);
    if (stored === null) throw Errors.consoleSessionExpired();
    return { ...(JSON.parse(stored) as StoredSession), sessionId };
  }

  /** The CSRF token a change must carry. */
  checkCsrf(session: OperatorSession, sent: string | undefined): void {
    const expected = Buffer.from(session.csrf);
    const actual = Buffer.from(sent ?? "");
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw Errors.consoleCsrf();
  }

  async logout(sessionId: string): Promise<void> {
    await this.deps.redis.del(RedisKeys.consoleSession(hashToken(sessionId)));
  }
}
