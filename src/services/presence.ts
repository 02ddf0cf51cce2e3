import type { Config } from "../config";
import { memberRef, parseMemberRef, RedisKeys } from "../infra/redis/keys";
import type { RedisClient } from "../infra/redis/client";

/**
 * Who is in class right now, in Redis only (the heartbeat path never touches SQL):
 * - per class, a ZSET uin → last beat (ms) of everyone present, and a SET of those
 *   dropped for silence (their next beat brings them back);
 * - one ZSET of living classes → their teacher's last beat;
 * - one ZSET "roomnum:uin" → last beat of every present non-teacher member, so the
 *   reaper finds the silent ones with one range query, whatever the number of classes.
 * PostgreSQL keeps the history; PresenceRebuild restores this from it after a Redis loss.
 * No pipeline or MULTI spans two hash slots (Redis Cluster): independent commands are
 * issued together and ioredis auto-pipelining batches them per connection.
 */

export type BeatOutcome = "present" | "revived" | "absent";

export class PresenceService {
  constructor(private readonly deps: { config: Config; redis: RedisClient }) {}

  /** A class started: its teacher is present and its silence clock starts now. */
  async classStarted(roomnum: number, hostUin: number, nowMs: number): Promise<void> {
    const { redis } = this.deps;
    await Promise.all([
      redis.zadd(RedisKeys.livingCourses, nowMs, String(roomnum)),
      redis.zadd(RedisKeys.coursePresence(roomnum), nowMs, String(hostUin)),
    ]);
  }

  /** A class ended: nobody is present any more. */
  async classEnded(roomnum: number): Promise<void> {
    const { redis } = this.deps;
    const present = await redis.zrange(RedisKeys.coursePresence(roomnum), "0", "-1");
    await Promise.all([
      redis.zrem(RedisKeys.livingCourses, String(roomnum)),
      present.length > 0 ? redis.zrem(RedisKeys.presentMembers, ...present.map((uin) => memberRef(roomnum, Number(uin)))) : null,
      redis.del(RedisKeys.coursePresence(roomnum), RedisKeys.courseDropped(roomnum)),
    ]);
  }

  async entered(roomnum: number, uin: number, isHost: boolean, nowMs: number): Promise<void> {
    const { redis } = this.deps;
    await Promise.all([
      redis.zadd(RedisKeys.coursePresence(roomnum), nowMs, String(uin)),
      redis.srem(RedisKeys.courseDropped(roomnum), String(uin)),
      isHost ? null : redis.zadd(RedisKeys.presentMembers, nowMs, memberRef(roomnum, uin)),
    ]);
  }

  /** Left on purpose: no beat brings the member back. */
  async left(roomnum: number, uin: number): Promise<void> {
    const { redis } = this.deps;
    await Promise.all([
      redis.zrem(RedisKeys.coursePresence(roomnum), String(uin)),
      redis.srem(RedisKeys.courseDropped(roomnum), String(uin)),
      redis.zrem(RedisKeys.presentMembers, memberRef(roomnum, uin)),
    ]);
  }

  /**
   * The heartbeat: one round trip in the common case. The teacher's beat keeps a living
   * class alive (XX: an ended class is not brought back); a member's beat refreshes its
   * presence; a member dropped for silence is revived (B10); anyone else stays out.
   */
  async beat(roomnum: number, uin: number, isHost: boolean, nowMs: number): Promise<BeatOutcome> {
    const { redis } = this.deps;
    const member = String(uin);
    const presenceKey = RedisKeys.coursePresence(roomnum);
    const refreshed = isHost
      ? redis.zadd(RedisKeys.livingCourses, "XX", nowMs, String(roomnum))
      : redis.zadd(RedisKeys.presentMembers, "XX", nowMs, memberRef(roomnum, uin));
    const [changed] = await Promise.all([redis.zadd(presenceKey, "XX", "CH", nowMs, member), refreshed]);
    if (Number(changed) === 1) return "present";
    // Not present (or a beat in the same millisecond): was it dropped for silence?
    const revived = await redis.reviveDropped(presenceKey, RedisKeys.courseDropped(roomnum), member, nowMs);
    if (revived !== 1) return (await redis.zscore(presenceKey, member)) === null ? "absent" : "present";
    if (!isHost) await redis.zadd(RedisKeys.presentMembers, nowMs, memberRef(roomnum, uin));
    return "revived";
  }

  /** Present members, ascending uin, leaving out students silent longer than the member timeout. */
  async presentMembers(roomnum: number, hostUin: number, nowMs: number): Promise<number[]> {
    const freshSince = nowMs - this.deps.config.memberTimeoutS * 1000;
    const entries = await this.deps.redis.zrange(RedisKeys.coursePresence(roomnum), "0", "-1", "WITHSCORES");
    const uins: number[] = [];
    for (let i = 0; i < entries.length; i += 2) {
      const uin = Number(entries[i]);
      if (uin === hostUin || Number(entries[i + 1]) >= freshSince) uins.push(uin);
    }
    return uins.sort((a, b) => a - b);
  }

  /** memsize of several classes at once (same freshness rule as presentMembers). */
  async countPresent(classes: ReadonlyArray<{ roomnum: number; hostUin: number }>, nowMs: number): Promise<Map<number, number>> {
    const counts = new Map<number, number>();
    if (classes.length === 0) return counts;
    const { redis, config } = this.deps;
    const freshSince = nowMs - config.memberTimeoutS * 1000;
    await Promise.all(
      classes.map(async ({ roomnum, hostUin }) => {
        const key = RedisKeys.coursePresence(roomnum);
        const [fresh, hostScore] = await Promise.all([redis.zcount(key, freshSince, "+inf"), redis.zscore(key, String(hostUin))]);
        // The teacher counts while present, even when silent longer than a student may be.
        const staleHost = hostScore !== null && Number(hostScore) < freshSince ? 1 : 0;
        counts.set(roomnum, fresh + staleHost);
      }),
    );
    return counts;
  }

  /** The teacher's last beat of a living class (ms), or undefined if Redis does not know the class. */
  async teacherLastBeat(roomnum: number): Promise<number | undefined> {
    const score = await this.deps.redis.zscore(RedisKeys.livingCourses, String(roomnum));
    return score === null ? undefined : Number(score);
  }

  /** Living classes whose teacher has been silent since before `deadlineMs`. */
  async silentClasses(deadlineMs: number, limit: number): Promise<number[]> {
    const due = await this.deps.redis.zrangebyscore(RedisKeys.livingCourses, "-inf", deadlineMs, "LIMIT", 0, limit);
    return due.map(Number);
  }

  /** Pushes a class's next judgement to `atMs` (after a failed end, e.g. IM down). */
  async postponeClass(roomnum: number, atMs: number): Promise<void> {
    await this.deps.redis.zadd(RedisKeys.livingCourses, "XX", atMs, String(roomnum));
  }

  /** Atomically takes silent members out of the global index: several reapers never take the same one. */
  async claimSilentMembers(deadlineMs: number, limit: number): Promise<Array<{ roomnum: number; uin: number }>> {
    const refs = await this.deps.redis.claimDueMembers(RedisKeys.presentMembers, deadlineMs, limit);
    return refs.map(parseMemberRef).filter((m): m is { roomnum: number; uin: number } => m !== undefined);
  }

  /**
   * Drops a claimed member if still silent. If it beat meanwhile, it goes back into the
   * index with its current beat and stays.
   */
  async dropIfSilent(roomnum: number, uin: number, deadlineMs: number): Promise<boolean> {
    const { redis } = this.deps;
    const result = await redis.dropIfSilent(RedisKeys.coursePresence(roomnum), RedisKeys.courseDropped(roomnum), String(uin), deadlineMs);
    if (result === "dropped") return true;
    if (result !== null) await redis.zadd(RedisKeys.presentMembers, "NX", Number(result), memberRef(roomnum, uin));
    return false;
  }

  /** Whether presence is complete (false after Redis lost its data, until rebuilt). */
  async isComplete(): Promise<boolean> {
    return (await this.deps.redis.exists(RedisKeys.presenceEpoch)) === 1;
  }
}
