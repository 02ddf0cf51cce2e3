import type { Config, SdkApp } from "../config";
import { Errors } from "../errors";
import { isUniqueViolation } from "../infra/db/errors";
import type { Db } from "../infra/db/prisma";
import { switchSessionToken } from "../infra/db/sessions";
import { ImError, type ImClient } from "../infra/tencent/im";
import { genPrivateMapKey, genUserSig, isValidUserSig } from "../infra/tencent/usersig";
import { nowToTheSecond, type Role, type SessionUser, uidKeyOf, unixSeconds } from "./domain";
import { hashPassword, verifyPassword } from "./passwords";
import { hashToken, type SessionService } from "./sessions";

/** Accounts: register, login (token + IM userSig), logout. Accounts belong to one app. */

/** How long a privilege map key lets its holder enter its room (the original's default; Tencent suggests 300 s). */
const PRIVILEGE_MAP_EXPIRE_S = 600;
/** How long the token authPrivMap replaces still works (requests the app sent beside it carry the old one). */
const PRIVILEGE_MAP_TOKEN_GRACE_S = 30;

export interface LoginResult {
  userSig: string;
  token: string;
  role: Role;
}

export class AccountService {
  constructor(
    private readonly deps: { config: Config; db: Db; sessions: SessionService; im: ImClient },
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
  async login(app: SdkApp, input: { id: string; pwd: string }, options: { previousTokenGraceS?: number } = {}): Promise<LoginResult> {
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
    if (switched.previous) {
      if (options.previousTokenGraceS === undefined) await sessions.forget(switched.previous);
      else await sessions.cache(switched.previous, user, unixSeconds(now), options.previousTokenGraceS);
    }
    const userSig = genUserSig({ sdkAppId: app.sdkAppId, secretKey: app.secretKey, identifier: account.uid, expireSeconds: config.userSigExpireS });
    return { userSig, token, role: user.role };
  }

  /**
   * account.authPrivMap (iOS and Mac, before they create or enter a room): a login (the password
   * is checked, unlike the original's) and Tencent's privilege map key of that room.
   */
  async loginWithPrivilegeMap(
    app: SdkApp,
    input: { id: string; pwd: string; roomnum: number; privilegeMap: number; accountType: number },
  ): Promise<LoginResult & { privilegeMap: number; privMapEncrypt: string }> {
    // The apps send their requests of that moment with the token of their login (iOS reports its member
    // entry beside this request): it works on for a few seconds, then only the new one does.
    const login = await this.login(app, input, { previousTokenGraceS: PRIVILEGE_MAP_TOKEN_GRACE_S });
    const privMapEncrypt = genPrivateMapKey({
      sdkAppId: app.sdkAppId,
      secretKey: app.secretKey,
      identifier: input.id,
      expireSeconds: PRIVILEGE_MAP_EXPIRE_S,
      roomnum: input.roomnum,
      // The map's 32 bits, as the original packed any integer (the PC client's -1 is all of them).
      privilegeMap: Number(BigInt.asUintN(32, BigInt(input.privilegeMap))),
      accountType: input.accountType,
    });
    return { ...login, privilegeMap: input.privilegeMap, privMapEncrypt };
  }

  /** account.verify: whether `sig` is a valid userSig of `id` in this app (10003 "Sig verify failed!" if not). */
  verifyUserSig(app: SdkApp, id: string, sig: string): void {
    if (!isValidUserSig(sig, app, id)) throw Errors.sigVerifyFailed();
  }

  /**
   * account.kickout: an admin that configuration names (KICKOUT_ADMINS), proving itself with its
   * password, ends a user's IM login (its userSigs stop working) and, unless `holdSig`, its session.
   */
  async kickout(app: SdkApp, input: { id: string; pwd: string; kickId: string; holdSig: boolean }): Promise<{ kickId: string; holdSig: boolean }> {
    const { config, im, sessions, db } = this.deps;
    const admin = await this.accountOf(app, input.id);
    if (!admin || admin.uid !== input.id) throw Errors.userNotExist();
    if (!(await verifyPassword(input.pwd, admin.passwordHash))) throw Errors.password();
    if (!config.live.kickoutAdmins.includes(admin.uid)) throw Errors.onlyAdminsKick();
    const kicked = await this.accountOf(app, input.kickId);
    if (!kicked || kicked.uid !== input.kickId) throw Errors.userNotExist();
    const done = { kickId: kicked.uid, holdSig: input.holdSig };
    try {
      await im.kick(app, kicked.uid);
    } catch (error) {
      if (!(error instanceof ImError)) throw error;
      throw Errors.kickoutFailed(error.imErrorInfo || error.message, { kickID: done.kickId, holdSig: done.holdSig });
    }
    if (!input.holdSig && kicked.tokenHash) {
      await db.account.updateMany({ where: { uin: kicked.uin, tokenHash: kicked.tokenHash }, data: { tokenHash: null, logoutAt: nowToTheSecond() } });
      await sessions.forget(kicked.tokenHash);
    }
    return done;
  }

  async logout(token: string): Promise<void> {
    const tokenHash = hashToken(token);
    const ended = await this.deps.db.account.updateMany({ where: { tokenHash }, data: { tokenHash: null, logoutAt: nowToTheSecond() } });
    await this.deps.sessions.forget(tokenHash);
    if (ended.count === 0) throw Errors.repeatLogout();
  }
}
