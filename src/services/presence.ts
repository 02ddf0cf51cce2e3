import type { Config } from "../config";
import { memberRef, RedisKeys } from "../infra/redis/keys";
import type { RedisClient } from "../infra/redis/client";

/**
 * Who is in class right now, in Redis only (the heartbeat path never touches SQL): per
 * class (one hash slot) a ZSET uin → last beat (ms) of everyone present, a SET of those
 * dropped for silence (their next beat brings them back), and the teacher's last beat
 * while the class is living. Beats are script calls on these keys, one per class for all
 * the beats of one event-loop turn. Entering, starting and ending also put entries on
 * (or take them off) the reaper's schedules, which ReaperSchedule reads and judges.
 * PostgreSQL keeps the history; PresenceRebuild restores this from it after a Redis loss.
 * No script, pipeline or MULTI spans two hash slots (Redis Cluster): independent commands
 * are issued together and ioredis auto-pipelining batches them per connection.
 */

export type BeatOutcome = "present" | "revived" | "absent";

interface PendingBeat {
  uin: number;
  isHost: boolean;
  nowMs: number;
  resolve(code: number): void;
  reject(error: unknown): void;
}

export class PresenceService {
  private pendingBeats = new Map<number, PendingBeat[]>();
  private flushScheduled = false;

  constructor(private readonly deps: { config: Config; redis: RedisClient }) {}

  /** A class started: its teacher is present and its silence clock starts now. */
  async classStarted(roomnum: number, hostUin: number, nowMs: number): Promise<void> {
    const { redis } = this.deps;
    await Promise.all([
      redis.set(RedisKeys.courseAlive(roomnum), nowMs),
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
      redis.del(RedisKeys.coursePresence(roomnum), RedisKeys.courseDropped(roomnum), RedisKeys.courseAlive(roomnum)),
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
   * The heartbeat. Beats that arrive in the same turn of the event loop are written
   * together, one script call per class (LUA.beatMany): a class of 1,000 students beats
   * 333 times a second, and those beats share calls instead of each making one.
   */
  async beat(roomnum: number, uin: number, isHost: boolean, nowMs: number): Promise<BeatOutcome> {
    const code = await new Promise<number>((resolve, reject) => {
      let beats = this.pendingBeats.get(roomnum);
      if (!beats) this.pendingBeats.set(roomnum, (beats = []));
      beats.push({ uin, isHost, nowMs, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushBeats());
      }
    });
    if (code === 1) return "present";
    if (code !== 2) return "absent";
    // Back from a drop: the reaper judges it again from now on.
    if (!isHost) await this.deps.redis.zadd(RedisKeys.presentMembers, nowMs, memberRef(roomnum, uin));
    return "revived";
  }

  private flushBeats(): void {
    this.flushScheduled = false;
    const batches = this.pendingBeats;
    this.pendingBeats = new Map();
    for (const [roomnum, beats] of batches) {
      const hostBeat = beats.reduce((latest, b) => (b.isHost && b.nowMs > latest ? b.nowMs : latest), 0);
      this.deps.redis
        .beatMany(
          RedisKeys.coursePresence(roomnum),
          RedisKeys.courseDropped(roomnum),
          RedisKeys.courseAlive(roomnum),
          hostBeat,
          ...beats.flatMap((b) => [String(b.uin), b.nowMs]),
        )
        .then(
          (codes) => beats.forEach((b, i) => b.resolve(Number(codes[i]))),
          (error: unknown) => beats.forEach((b) => b.reject(error)),
        );
    }
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

  /** The teacher's last beat of a living class (ms), or undefined if Redis does not know it. */
  async teacherLastBeat(roomnum: number): Promise<number | undefined> {
    const value = await this.deps.redis.get(RedisKeys.courseAlive(roomnum));
    return value === null ? undefined : Number(value);
  }
}
