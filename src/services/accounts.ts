import type { Config, SdkApp } from "../config";
import { Errors } from "../errors";
import { isUniqueViolation } from "../infra/db/errors";
import type { Db } from "../infra/db/prisma";
import { switchSessionToken } from "../infra/db/sessions";
import { genUserSig } from "../infra/tencent/usersig";
import { nowToTheSecond, type Role, type SessionUser, uidKeyOf, unixSeconds } from "./domain";
import { hashPassword, verifyPassword } from "./passwords";
import { hashToken, type SessionService } from "./sessions";

/** Accounts: register, login (token + IM userSig), logout. Accounts belong to one app. */

export interface LoginResult {
  userSig: string;
  token: string;
  role: Role;
}

export class AccountService {
  constructor(
    private readonly deps: { config: Config; db: Db; sessions: SessionService },
  ) {}

  /**
   * The account of an id in this app (ignoring case). A findFirst, never batched with other
   * requests' lookups: one request's bad value can never fail another's query.
   */
  private accountOf(app: SdkApp, uid: string) {
    return this.deps.db.account.findFirst({ where: { appid: app.sdkAppId, uidKey: uidKeyOf(uid) } });
  }

  async register(app: SdkApp, input: { id: string; pwd: string; role: Role }): Promise<void> {
    if (await this.accountOf(app, input.id)) throw Errors.userExists();
    const passwordHash = await hashPassword(input.pwd, this.deps.config.passwordScryptN);
    try {
      await this.deps.db.account.create({
        data: { appid: app.sdkAppId, uid: input.id, uidKey: uidKeyOf(input.id), role: input.role, passwordHash, registeredAt: nowToTheSecond() },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw Errors.userExists(); // a concurrent registration won
      throw error;
    }
  }

  /**
   * A new session replaces the old one (single session per user). The new token is cached
   * before the switch: a later login, serialized after this one by the row lock, then
   * forgets it for certain, so of concurrent logins exactly the last one stays valid.
   */
  async login(app: SdkApp, input: { id: string; pwd: string }): Promise<LoginResult> {
    const { db, sessions, config } = this.deps;
    const account = await this.accountOf(app, input.id);
    // Login matches the id exactly, as the original.
    if (!account || account.uid !== input.id) throw Errors.userNotExist();
    if (!(await verifyPassword(input.pwd, account.passwordHash))) throw Errors.password();

    const user: SessionUser = { uin: account.uin, uid: account.uid, role: account.role as Role, appid: account.appid };
    const token = sessions.newToken();
    const tokenHash = hashToken(token);
    const now = nowToTheSecond();
    await sessions.cache(tokenHash, user, unixSeconds(now));
    let switched: Awaited<ReturnType<typeof switchSessionToken>>;
    try {
      switched = await switchSessionToken(db, account.uin, tokenHash, now);
    } catch (error) {
      await sessions.forget(tokenHash).catch(() => undefined);
      throw error;
    }
    if (!switched.switched) throw Errors.userNotExist();
    if (switched.previous) await sessions.forget(switched.previous);
    const userSig = genUserSig({ sdkAppId: app.sdkAppId, secretKey: app.secretKey, identifier: account.uid, expireSeconds: config.userSigExpireS });
    return { userSig, token, role: user.role };
  }

  async logout(token: string): Promise<void> {
    const tokenHash = hashToken(token);
    const ended = await this.deps.db.account.updateMany({ where: { tokenHash }, data: { tokenHash: null, logoutAt: nowToTheSecond() } });
    await this.deps.sessions.forget(tokenHash);
    if (ended.count === 0) throw Errors.repeatLogout();
  }
}
