import type { Config } from "../config";
import { Errors } from "../errors";
import type { RedisClient } from "../infra/redis/client";
import { type RedisRateLimiter, redisRateLimiter } from "../infra/redis/rate-limiter";

/**
 * Abuse limits, by name: how many requests one key (a client address, a user) may make in a
 * window, counted in Redis so that every instance shares the count. A request over its limit
 * is refused with 10429 and how long to wait (REST: 429 and Retry-After).
 */

/** The limits, and what each protects. */
export type RateLimitName = "coverSign";

export interface RateRule {
  points: number;
  durationS: number;
}

/** Each limit's rule, from configuration. */
export function rateRulesOf(config: Config): Record<RateLimitName, RateRule> {
  return {
    // cos.get_sign of the live apps, asked without a token: per client address.
    coverSign: { points: config.live.coverSign.perMinute, durationS: 60 },
  };
}

export class RateLimits {
  private readonly limiters: Record<RateLimitName, RedisRateLimiter>;

  constructor(deps: { redis: RedisClient; config: Config }) {
    const rules = rateRulesOf(deps.config);
    this.limiters = { coverSign: redisRateLimiter(deps.redis, "coverSign", rules.coverSign) };
  }

  /** Counts one request of `key` against the limit `name`; over it, 10429 with the seconds to wait. */
  async consume(name: RateLimitName, key: string): Promise<void> {
    const verdict = await this.limiters[name].consume(key);
    if (!verdict.allowed) throw Errors.tooManyRequests(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)));
  }
}
