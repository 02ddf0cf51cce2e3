import { randomUUID } from "node:crypto";
import type { AppError } from "../errors";
import { RedisKeys } from "../infra/redis/keys";
import type { RedisClient } from "../infra/redis/client";
import type { Logger } from "../logger";

/**
 * Who may change a course at a time. A start or an end holds the course's lock (Redis SET
 * NX PX with a holder token) while it posts its IM marker and writes the database, so of
 * two concurrent attempts (requests or reaper instances) exactly one sends its marker.
 * Members entering hold a shared claim instead: many enter at once, but none while the
 * class is starting or ending, and an end waits for those already entering. So no
 * member's marker follows the end marker, and no marker is posted for an enter that the
 * end then refuses.
 */

/** Longer than the IM timeout (at most 10 s) plus the database write: a crashed holder frees the course this late. */
const LOCK_TTL_MS = 30000;
/** How long an end or start waits for members already entering (each is one IM call and a write). */
const DRAIN_WAIT_MS = 12000;
/** How often a waiting end, start or claim looks again. */
const POLL_MS = 20;

export class CourseLock {
  constructor(private readonly deps: { redis: RedisClient; log: Logger }) {}

  /**
   * Runs `fn` holding the course's lock, once nobody is entering any more; when another
   * holder has the lock (or entering does not end in time), throws `busy()`.
   */
  async with<T>(roomnum: number, busy: () => AppError, fn: () => Promise<T>): Promise<T> {
    const token = await this.acquire(RedisKeys.courseLock(roomnum));
    if (token === undefined) throw busy();
    try {
      if (!(await this.drained(roomnum, DRAIN_WAIT_MS))) throw busy();
      return await fn();
    } finally {
      await this.release(roomnum, token);
    }
  }

  /**
   * Runs `fn` holding the course's relay lock (server-side recording and push): one such
   * change at a time per course, apart from the state lock, so that members still enter meanwhile.
   */
  async withRelay<T>(roomnum: number, busy: () => AppError, fn: () => Promise<T>): Promise<T> {
    const key = RedisKeys.courseRelayLock(roomnum);
    const token = await this.acquire(key);
    if (token === undefined) throw busy();
    try {
      return await fn();
    } finally {
      await this.releaseKey(key, token, roomnum);
    }
  }

  /**
   * Runs `fn` as the only holder of one named piece of work of the course (a recording file's
   * marker), across requests and instances. Another holder is waited for, up to `waitMs` (it is
   * usually about to finish, and `fn` then finds the work done); after that, `busy()`.
   */
  async withClaim<T>(roomnum: number, work: string, waitMs: number, busy: () => AppError, fn: () => Promise<T>): Promise<T> {
    const key = RedisKeys.courseClaim(roomnum, work);
    const giveUpAt = Date.now() + waitMs;
    let token = await this.acquire(key);
    while (token === undefined) {
      if (Date.now() >= giveUpAt) throw busy();
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      token = await this.acquire(key);
    }
    try {
      return await fn();
    } finally {
      await this.releaseKey(key, token, roomnum);
    }
  }

  /** Takes the lock if free and nobody is entering (the reaper: never waits); its token, or undefined. */
  async acquireIdle(roomnum: number): Promise<string | undefined> {
    const token = await this.acquire(RedisKeys.courseLock(roomnum));
    if (token === undefined || (await this.drained(roomnum, 0))) return token;
    await this.release(roomnum, token);
    return undefined;
  }

  /** Runs `fn` as a member entering: refused (`refused()`) while the class is starting or ending. */
  async whileEntering<T>(roomnum: number, refused: () => AppError, fn: () => Promise<T>): Promise<T> {
    const holder = randomUUID();
    const now = Date.now();
    const { redis } = this.deps;
    const key = RedisKeys.courseEntering(roomnum);
    if ((await redis.beginEnter(RedisKeys.courseLock(roomnum), key, holder, now + LOCK_TTL_MS, now)) !== 1) throw refused();
    try {
      return await fn();
    } finally {
      await redis.zrem(key, holder).catch((error: unknown) => this.deps.log.warn({ err: error, roomnum }, "could not end an enter's claim"));
    }
  }

  release(roomnum: number, token: string): Promise<void> {
    return this.releaseKey(RedisKeys.courseLock(roomnum), token, roomnum);
  }

  private async releaseKey(key: string, token: string, roomnum: number): Promise<void> {
    await this.deps.redis.releaseLock(key, token).catch((error: unknown) => this.deps.log.warn({ err: error, roomnum }, "course lock release failed"));
  }

  private async acquire(key: string): Promise<string | undefined> {
    const token = randomUUID();
    const acquired = await this.deps.redis.set(key, token, "PX", LOCK_TTL_MS, "NX");
    return acquired === "OK" ? token : undefined;
  }

  /** Whether nobody is entering (claims past their deadline do not count), waiting up to `waitMs`. */
  private async drained(roomnum: number, waitMs: number): Promise<boolean> {
    const key = RedisKeys.courseEntering(roomnum);
    const giveUpAt = Date.now() + waitMs;
    for (;;) {
      if ((await this.deps.redis.zcount(key, Date.now(), "+inf")) === 0) return true;
      if (Date.now() >= giveUpAt) return false;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
