import { createHash, randomBytes } from "node:crypto";
import type { Config } from "../config";
import { Errors } from "../errors";
import type { Db } from "../infra/db/prisma";
import { RedisKeys } from "../infra/redis/keys";
import type { RedisClient } from "../infra/redis/client";
import type { Logger } from "../logger";
import { nowToTheSecond, type Role, type SessionUser } from "./domain";

/**
 * Session tokens: 192 random bits, one live token per account (a new login ends the
 * old one). PostgreSQL keeps the record (a SHA-256 of the token, never the token);
 * Redis caches it under the same hash with a sliding TTL, so a token command costs
 * one Redis read and no SQL while the cache is warm. The heartbeat trusts a token this
 * instance has checked without asking Redis again: every instance hears of each session
 * that ends (a Redis channel, `sessionsEnded`), so a logout elsewhere reaches it within
 * moments; while it cannot hear (the channel's connection is down) it trusts a check for
 * 2 s only. Tokens that are not ours reach PostgreSQL once: their hash is then remembered
 * in Redis as unknown for a while; a string that cannot be one of our tokens reaches nothing.
 */

/** How often a token's idle expiry is pushed forward in Redis (which also finds a session that ended unheard of). */
const REFRESH_EVERY_S = 60;
/**
 * How often a heartbeat-only user's last use is recorded for SQL: a thousandth of the idle
 * expiry, between a minute and ten (the default 7 days: every 10 min; SQL matters only when
 * Redis lost the session, and then a token expires at most that much early). Once a minute,
 * the record and its row update were about a sixth of a fleet's heartbeat CPU.
 */
const recordEveryS = (idleExpireS: number) => Math.min(600, Math.max(REFRESH_EVERY_S, Math.floor(idleExpireS / 1000)));
/** Without word of ended sessions (the channel is down), a check is trusted this long: a logout elsewhere reaches this instance that late. */
const TOKEN_TRUST_WINDOW_MS = 2000;
/** Tokens trusted at once, at most (one per beating user; the oldest goes first). */
const TRUSTED_TOKENS_MAX = 100000;
/** An unknown token's hash is remembered in Redis this long (a flood of one garbage token asks PostgreSQL once). */
const UNKNOWN_TOKEN_TTL_S = 300;
/** What newToken makes (24 random bytes, base64url): anything else is no token of ours. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{32}$/;

interface TrustedEntry {
  user: SessionUser;
  tokenHash: string;
  /** Last use recorded in Redis (s). */
  seen: number;
  /** Last use recorded for SQL (s). */
  recorded: number;
  /** Trusted until (ms). */
  until: number;
}

interface PendingRefresh {
  tokenHash: string;
  uin: number;
  /** The use (s). */
  now: number;
  /** The use is recorded for the reaper's SQL batches (a heartbeat's). */
  recordForReaper: boolean;
}

export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");

const nowSeconds = () => Math.floor(Date.now() / 1000);

export interface AuthenticateOptions {
  /** Trust a token this instance checked (until the session ends, or TOKEN_TRUST_WINDOW_MS without word of ended sessions), without asking Redis. */
  trustRecentCheck?: boolean;
  /** Slide the idle expiry in Redis only; the SQL record follows in the reaper's batches. */
  deferUseToReaper?: boolean;
}

export class SessionService {
  private readonly trusted = new Map<string, TrustedEntry>();
  private readonly trustedTokenByHash = new Map<string, string>();
  private readonly recordEveryS: number;
  /** Refreshes asked for in this turn of the event loop (flushRefreshes sends them). */
  private pendingRefreshes: PendingRefresh[] = [];
  /** Whether every ended session is heard of now (the channel is subscribed and answering). */
  private hearing = false;
  /** Moves on whenever hearing changes: a check that began before may not be trusted. */
  private hearingEpoch = 0;
  /** Checks in flight, by token hash (how many), and those whose session ended meanwhile: they are not trusted. */
  private readonly checking = new Map<string, number>();
  private readonly endedWhileChecked = new Set<string>();

  constructor(
    private readonly deps: { config: Config; db: Db; redis: RedisClient; log: Logger },
  ) {
    this.recordEveryS = recordEveryS(deps.config.tokenIdleExpireS);
  }

  newToken(): string {
    return randomBytes(24).toString("base64url");
  }

  /** Puts a freshly issued token in the cache. */
  async cache(tokenHash: string, user: SessionUser, seenAt: number, ttlSeconds = this.deps.config.tokenIdleExpireS): Promise<void> {
    const key = RedisKeys.session(tokenHash);
    await this.deps.redis
      .multi()
      .del(key)
      .hset(key, { uin: user.uin, uid: user.uid, role: user.role, appid: user.appid, seen: seenAt })
      .expire(key, Math.max(1, ttlSeconds))
      .exec();
  }

  /** A session ends: it is no longer cached, and every instance hears of it (none trusts it on). */
  async forget(tokenHash: string): Promise<void> {
    this.untrust(tokenHash);
    await this.deps.redis.del(RedisKeys.session(tokenHash));
    await this.deps.redis.publish(RedisKeys.sessionsEnded, tokenHash);
  }

  /** Word that a session ended (this instance's or another's). */
  sessionEnded(tokenHash: string): void {
    // Only this session's checks in flight are concerned: another's end (a logout anywhere) costs no trust.
    if (this.checking.has(tokenHash)) this.endedWhileChecked.add(tokenHash);
    this.untrust(tokenHash);
  }

  /** Whether every ended session is heard of now. */
  hearsEndedSessions(): boolean {
    return this.hearing;
  }

  /** Whether ended sessions are heard of: while not, nothing trusted before is trusted any more. */
  hearingEndedSessions(hearing: boolean): void {
    this.hearingEpoch += 1;
    this.hearing = hearing;
    if (!hearing) {
      this.trusted.clear();
      this.trustedTokenByHash.clear();
    }
  }

  /**
   * The user behind a token. Checks in the original's order: unknown token (10009
   * "Token expired"), app mismatch (10003), idle expiry (10009 "User token expired",
   * which also ends the session so the next call is "Token expired").
   */
  authenticate(token: string, appid: number | undefined, options: AuthenticateOptions = {}): SessionUser | Promise<SessionUser> {
    // A token trusted in memory (the heartbeat's) is answered at once, without a promise.
    return (options.trustRecentCheck && this.trustedUser(token, appid, options)) || this.checkTracked(token, appid, options);
  }

  /**
   * The user of a token this instance checked and still trusts, at once (no Redis, no promise:
   * the heartbeat's path); undefined when it must be checked (`authenticate`).
   */
  private trustedUser(token: string, appid: number | undefined, options: AuthenticateOptions): SessionUser | undefined {
    const entry = this.trusted.get(token);
    if (!entry || entry.until <= Date.now()) return undefined;
    if (appid !== undefined && entry.user.appid !== appid) throw Errors.appidDiffersFromUser();
    const now = nowSeconds();
    if (now - entry.seen >= REFRESH_EVERY_S) {
      entry.seen = now;
      const record = now - entry.recorded >= this.recordEveryS;
      if (record) entry.recorded = now;
      this.refresh(entry.tokenHash, entry.user.uin, now, options, record);
    }
    return entry.user;
  }

  /** checkToken, known to be in flight while it runs (so that its session's end, heard meanwhile, withholds the trust). */
  private async checkTracked(token: string, appid: number | undefined, options: AuthenticateOptions): Promise<SessionUser> {
    if (!TOKEN_FORMAT.test(token)) throw Errors.tokenUnknown();
    const tokenHash = hashToken(token);
    this.checking.set(tokenHash, (this.checking.get(tokenHash) ?? 0) + 1);
    try {
      return await this.checkToken(token, tokenHash, appid, options);
    } finally {
      const left = this.checking.get(tokenHash)! - 1;
      if (left > 0) this.checking.set(tokenHash, left);
      else {
        this.checking.delete(tokenHash);
        this.endedWhileChecked.delete(tokenHash);
      }
    }
  }

  /** A token checked in Redis (PostgreSQL if Redis has no word of it). */
  private async checkToken(token: string, tokenHash: string, appid: number | undefined, options: AuthenticateOptions): Promise<SessionUser> {
    const epoch = this.hearingEpoch;
    const now = nowSeconds();
    const idle = this.deps.config.tokenIdleExpireS;
    const key = RedisKeys.session(tokenHash);
    const cached = await this.deps.redis.hgetall(key);
    if (cached.unknown !== undefined) throw Errors.tokenUnknown();
    if (cached.uin !== undefined) {
      const user: SessionUser = { uin: Number(cached.uin), uid: cached.uid ?? "", role: Number(cached.role) as Role, appid: Number(cached.appid) };
      if (appid !== undefined && user.appid !== appid) throw Errors.appidDiffersFromUser();
      let seen = Number(cached.seen);
      if (now - seen > idle) return this.expire(tokenHash, user.uin);
      if (now - seen >= REFRESH_EVERY_S) {
        this.refresh(tokenHash, user.uin, now, options, true);
        seen = now;
      }
      // A session that ended while it was read is not trusted (it is answered once, as a request just before its end).
      if (options.trustRecentCheck && epoch === this.hearingEpoch && !this.endedWhileChecked.has(tokenHash)) this.trust(token, { user, tokenHash, seen, recorded: seen, until: this.trustedUntil(seen) });
      return user;
    }
    const account = await this.deps.db.account.findUnique({ where: { tokenHash } });
    if (!account) {
      await this.deps.redis.multi().hset(key, "unknown", 1).expire(key, UNKNOWN_TOKEN_TTL_S).exec();
      throw Errors.tokenUnknown();
    }
    if (appid !== undefined && account.appid !== appid) throw Errors.appidDiffersFromUser();
    const lastSeen = unixOf(account.lastRequestAt ?? account.loginAt);
    if (now - lastSeen > idle) return this.expire(tokenHash, account.uin);
    const user: SessionUser = { uin: account.uin, uid: account.uid, role: account.role as Role, appid: account.appid };
    await this.cache(tokenHash, user, lastSeen, idle - (now - lastSeen));
    return user;
  }

  /** Until when a check is trusted: its idle expiry while ended sessions are heard of, else a moment. */
  private trustedUntil(seen: number): number {
    const idleEnd = (seen + this.deps.config.tokenIdleExpireS) * 1000;
    return this.hearing ? idleEnd : Math.min(Date.now() + TOKEN_TRUST_WINDOW_MS, idleEnd);
  }

  private trust(token: string, entry: TrustedEntry): void {
    if (this.trusted.size >= TRUSTED_TOKENS_MAX) {
      const oldest = this.trusted.keys().next().value!;
      this.trustedTokenByHash.delete(this.trusted.get(oldest)!.tokenHash);
      this.trusted.delete(oldest);
    }
    this.trusted.delete(token); // re-insert: the Map's order is the eviction order
    this.trusted.set(token, entry);
    this.trustedTokenByHash.set(entry.tokenHash, token);
  }

  private untrust(tokenHash: string): void {
    const token = this.trustedTokenByHash.get(tokenHash);
    if (token === undefined) return;
    this.trusted.delete(token);
    this.trustedTokenByHash.delete(tokenHash);
  }

  private async expire(tokenHash: string, uin: number): Promise<never> {
    await this.deps.db.account.updateMany({ where: { uin, tokenHash }, data: { tokenHash: null } });
    await this.forget(tokenHash);
    throw Errors.tokenExpired();
  }

  /**
   * Slides the idle expiry and records the use; off the request's critical path. The slide goes
   * to Redis with the turn's other slides (flushRefreshes): checks come in bursts (every session
   * an instance trusts was checked when it started, so all are due again a minute later, then
   * every minute), and a write and reply of its own for each was a fleet's worst seconds. The
   * heartbeat leaves the SQL record to `recordHeartbeatUse`, in batches (no SQL on the hot path),
   * so that a user who only beats is not taken for idle if the database ever has to answer for
   * Redis. A session found gone (it ended, and this instance missed the word) is no longer trusted.
   */
  private refresh(tokenHash: string, uin: number, now: number, options: AuthenticateOptions, record: boolean): void {
    if (record && !options.deferUseToReaper) {
      this.deps.db.account.updateMany({ where: { uin, tokenHash }, data: { lastRequestAt: new Date(now * 1000) } }).catch((error: unknown) => this.refreshFailed(error));
    }
    this.pendingRefreshes.push({ tokenHash, uin, now, recordForReaper: record && options.deferUseToReaper === true });
    if (this.pendingRefreshes.length === 1) setImmediate(() => this.flushRefreshes());
  }

  /** The turn's refreshes, sent together: the standalone client writes them at once, the cluster client pipelines them per node. */
  private flushRefreshes(): void {
    const { redis, config } = this.deps;
    const batch = this.pendingRefreshes;
    this.pendingRefreshes = [];
    const usedByHeartbeat: string[] = [];
    for (const { tokenHash, uin, now, recordForReaper } of batch) {
      redis.refreshSession(RedisKeys.session(tokenHash), now, config.tokenIdleExpireS).then((still) => {
        if (still === 0) this.untrust(tokenHash);
      }, (error: unknown) => this.refreshFailed(error));
      if (recordForReaper) usedByHeartbeat.push(String(uin));
    }
    if (usedByHeartbeat.length > 0) redis.sadd(RedisKeys.sessionsUsedByHeartbeat, ...usedByHeartbeat).catch((error: unknown) => this.refreshFailed(error));
  }

  private refreshFailed(error: unknown): void {
    this.deps.log.warn({ err: error }, "token refresh failed");
  }

  /** Records in SQL the last use of tokens seen only by heartbeats (the reaper calls this). */
  async recordHeartbeatUse(batch = 1000): Promise<number> {
    const uins = (await this.deps.redis.spop(RedisKeys.sessionsUsedByHeartbeat, batch)).map(Number);
    if (uins.length === 0) return 0;
    const updated = await this.deps.db.account.updateMany({
      where: { uin: { in: uins }, tokenHash: { not: null } },
      data: { lastRequestAt: nowToTheSecond() },
    });
    return updated.count;
  }
}

const unixOf = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : 0);
