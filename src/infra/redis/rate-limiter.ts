import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { RedisClient } from "./client";
import { RedisKeys } from "./keys";

/**
 * A limit of `points` requests per `durationS` seconds per key, counted in Redis (so several
 * instances share it) by rate-limiter-flexible: one atomic script on one key per call, which
 * Redis Cluster takes as it is. A Redis failure is thrown, never taken for "allowed".
 */
export interface RedisRateLimiter {
  /** Counts one request of `key`: allowed, or refused with how long until the next is allowed. */
  consume(key: string): Promise<{ allowed: true } | { allowed: false; retryAfterMs: number }>;
}

export function redisRateLimiter(redis: RedisClient, name: string, rule: { points: number; durationS: number }): RedisRateLimiter {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: RedisKeys.rateLimit(name),
    points: rule.points,
    duration: rule.durationS,
    // The client has no offline queue: a command while Redis is away fails at once anyway.
    rejectIfRedisNotReady: true,
  });
  return {
    async consume(key) {
      try {
        await limiter.consume(key);
        return { allowed: true };
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return { allowed: false, retryAfterMs: refusal.msBeforeNext };
        throw refusal;
      }
    },
  };
}
