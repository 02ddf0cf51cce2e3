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
export type RateLimitName = "coverSign" | "loginPerAddress" | "loginPerAccount" | "tokenRequests";

export interface RateRule {
  points: number;
  durationS: number;
}

/** Each limit's rule, from configuration. */
export function rateRulesOf(config: Config): Record<RateLimitName, RateRule> {
  return {
    // cos.get_sign of the live apps, asked without a token: per client address.
    coverSign: { points: config.live.coverSign.perMinute, durationS: 60 },
    // Logins and registrations: per client address, and per account (password guessing).
    loginPerAddress: { points: config.rateLimits.loginPerAddress, durationS: 60 },
    loginPerAccount: { points: config.rateLimits.loginPerAccount, durationS: 60 },
    // Token commands per user (the heartbeat apart: its path makes one Redis call).
    tokenRequests: { points: config.rateLimits.tokenRequests, durationS: 60 },
  };
}

export class RateLimits {
  /** A limit of 0 points has no limiter: nothing is counted. */
  private readonly limiters: Partial<Record<RateLimitName, RedisRateLimiter>> = {};

  constructor(deps: { redis: RedisClient; config: Config }) {
    for (const [name, rule] of Object.entries(rateRulesOf(deps.config)) as Array<[RateLimitName, RateRule]>) {
      if (rule.points > 0) this.limiters[name] = redisRateLimiter(deps.redis, name, rule);
    }
  }

  /** Counts one request of `key` against the limit `name`; over it, 10429 with the seconds to wait. */
  async consume(name: RateLimitName, key: string): Promise<void> {
    const limiter = this.limiters[name];
    if (!limiter) return;
    const verdict = await limiter.consume(key);
    if (!verdict.allowed) throw Errors.tooManyRequests(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)));
  }
}
