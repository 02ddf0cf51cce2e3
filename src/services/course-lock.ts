import { randomUUID } from "node:crypto";
import type { AppError } from "../errors";
import { RedisKeys } from "../infra/redis/keys";
import type { RedisClient } from "../infra/redis/client";
import type { Logger } from "../logger";

/**
 * A per-course lock (Redis SET NX PX with a holder token) held while a course changes
 * state: the IM marker and the database write happen under it, so of two concurrent
 * start/end attempts (requests or reaper instances) exactly one sends its marker.
 */

/** Longer than the IM timeout plus the database write. */
const LOCK_TTL_MS = 30000;

export class CourseLock {
  constructor(private readonly deps: { redis: RedisClient; log: Logger }) {}

  /** Runs `fn` holding the course's lock; when another holder has it, throws `busy()` (or returns undefined if null). */
  async with<T>(roomnum: number, busy: (() => AppError) | null, fn: () => Promise<T>): Promise<T | undefined> {
    const token = await this.acquire(roomnum);
    if (token === undefined) {
      if (busy) throw busy();
      return undefined;
    }
    try {
      return await fn();
    } finally {
      await this.release(roomnum, token);
    }
  }

  /** Takes the lock; its token, or undefined when another holder has it. */
  async acquire(roomnum: number): Promise<string | undefined> {
    const token = randomUUID();
    const acquired = await this.deps.redis.set(RedisKeys.courseLock(roomnum), token, "PX", LOCK_TTL_MS, "NX");
    return acquired === "OK" ? token : undefined;
  }

  async release(roomnum: number, token: string): Promise<void> {
    await this.deps.redis
      .releaseLock(RedisKeys.courseLock(roomnum), token)
      .catch((error: unknown) => this.deps.log.warn({ err: error, roomnum }, "course lock release failed"));
  }
}
