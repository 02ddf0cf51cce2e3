import type { Config, SdkApp } from "../config";
import { Errors } from "../errors";
import { isUniqueViolation } from "../infra/db/errors";
import type { Db } from "../infra/db/prisma";
import { genUserSig } from "../infra/tencent/usersig";
import { type Role, type SessionUser, uidKeyOf } from "./domain";
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

  async register(app: SdkApp, input: { id: string; pwd: string; role: Role }): Promise<void> {
    const where = { appid_uidKey: { appid: app.sdkAppId, uidKey: uidKeyOf(input.id) } };
    if (await this.deps.db.account.findUnique({ where, select: { uin: true } })) throw Errors.userExists();
    const passwordHash = await hashPassword(input.pwd, this.deps.config.passwordScryptN);
    try {
      await this.deps.db.account.create({
        data: { appid: app.sdkAppId, uid: input.id, uidKey: uidKeyOf(input.id), role: input.role, passwordHash },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw Errors.userExists(); // a concurrent registration won
      throw error;
    }
  }

  async login(app: SdkApp, input: { id: string; pwd: string }): Promise<LoginResult> {
    const { db, sessions, config } = this.deps;
    let account = await db.account.findUnique({ where: { appid_uidKey: { appid: app.sdkAppId, uidKey: uidKeyOf(input.id) } } });
    // Login matches the id exactly, as the original.
    if (!account || account.uid !== input.id) throw Errors.userNotExist();
    if (!(await verifyPassword(input.pwd, account.passwordHash))) throw Errors.password();

    const token = sessions.newToken();
    const tokenHash = hashToken(token);
    const now = new Date();
    // Compare-and-swap on the previous token: of two concurrent logins, each replaces
    // exactly the token it saw, so no replaced token stays cached.
    for (let attempt = 0; ; attempt++) {
      const previous = account.tokenHash;
      const swapped = await db.account.updateMany({
        where: { uin: account.uin, tokenHash: previous },
        data: { tokenHash, loginAt: now, lastRequestAt: now, logoutAt: null },
      });
      if (swapped.count === 1) {
        if (previous) await sessions.forget(previous);
        break;
      }
      if (attempt >= 10) throw Errors.server();
      account = await db.account.findUniqueOrThrow({ where: { uin: account.uin } });
    }
    const user: SessionUser = { uin: account.uin, uid: account.uid, role: account.role as Role, appid: account.appid };
    await sessions.cache(tokenHash, user, Math.floor(now.getTime() / 1000));
    const userSig = genUserSig({ sdkAppId: app.sdkAppId, secretKey: app.secretKey, identifier: account.uid, expireSeconds: config.userSigExpireS });
    return { userSig, token, role: user.role };
  }

  async logout(token: string): Promise<void> {
    const tokenHash = hashToken(token);
    const ended = await this.deps.db.account.updateMany({ where: { tokenHash }, data: { tokenHash: null, logoutAt: new Date() } });
    await this.deps.sessions.forget(tokenHash);
    if (ended.count === 0) throw Errors.repeatLogout();
  }
}
