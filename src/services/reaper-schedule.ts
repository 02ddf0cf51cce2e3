import { memberRef, parseMemberRef, RedisKeys } from "../infra/redis/keys";
import type { RedisClient } from "../infra/redis/client";
import type { RoomMode } from "./domain";

/**
 * The reaper's schedules in Redis, per kind of room (each judged with its own timeouts):
 * one ZSET of living classes and one of present members ("roomnum:uin"), each scored
 * with the last beat the reaper knew. Beats do not touch
 * them (a beat costs one Redis call); when an entry falls due, the reaper reads the real
 * last beat and either acts or schedules the entry again. So a sweep reads only what is
 * due, whatever the number of healthy classes.
 */
export class ReaperSchedule {
  constructor(private readonly deps: { redis: RedisClient }) {}

  /** Living classes due for judgement: the last beat the reaper knew is before `deadlineMs`. */
  async silentClasses(mode: RoomMode, deadlineMs: number, limit: number): Promise<number[]> {
    const due = await this.deps.redis.zrangebyscore(RedisKeys.livingCourses(mode), "-inf", deadlineMs, "LIMIT", 0, limit);
    return due.map(Number);
  }

  /**
   * The class is judged again once `lastBeatMs` is a full teacher timeout old: after a
   * real beat it was told of, or a moment later than now after a failed end (IM down).
   * Only a class still on the schedule is moved (XX): an ended one stays off it.
   */
  async judgeClassAgain(mode: RoomMode, roomnum: number, lastBeatMs: number): Promise<void> {
    await this.deps.redis.zadd(RedisKeys.livingCourses(mode), "XX", lastBeatMs, String(roomnum));
  }

  /** A living class Redis knew nothing of beats "now": a missing record is not silence. */
  async restartSilenceClock(mode: RoomMode, roomnum: number, nowMs: number): Promise<void> {
    const { redis } = this.deps;
    await Promise.all([redis.set(RedisKeys.courseAlive(roomnum), nowMs, "NX"), redis.zadd(RedisKeys.livingCourses(mode), "XX", nowMs, String(roomnum))]);
  }

  /** Whether any member is due (read only: an idle sweep looks before it claims). */
  async anyMemberDue(mode: RoomMode, deadlineMs: number): Promise<boolean> {
    return (await this.deps.redis.zcount(RedisKeys.presentMembers(mode), "-inf", deadlineMs)) > 0;
  }

  /** Atomically takes members due for judgement out of the schedule: several reapers never take the same one. */
  async claimSilentMembers(mode: RoomMode, deadlineMs: number, limit: number): Promise<Array<{ roomnum: number; uin: number }>> {
    const refs = await this.deps.redis.claimDueMembers(RedisKeys.presentMembers(mode), deadlineMs, limit);
    return refs.map(parseMemberRef).filter((m): m is { roomnum: number; uin: number } => m !== undefined);
  }

  /** A claimed member the reaper could not judge (Redis or PostgreSQL failed) goes back on the schedule. */
  async judgeMemberAgain(mode: RoomMode, roomnum: number, uin: number, lastBeatMs: number): Promise<void> {
    await this.deps.redis.zadd(RedisKeys.presentMembers(mode), "NX", lastBeatMs, memberRef(roomnum, uin));
  }

  /**
   * Drops a claimed member from the class's presence if still silent. If it beat
   * meanwhile, it is scheduled again at its real last beat and stays.
   */
  async dropIfSilent(mode: RoomMode, roomnum: number, uin: number, deadlineMs: number): Promise<boolean> {
    const { redis } = this.deps;
    const result = await redis.dropIfSilent(RedisKeys.coursePresence(roomnum), RedisKeys.courseDropped(roomnum), String(uin), deadlineMs);
    if (result === "dropped") return true;
    if (result !== null) await redis.zadd(RedisKeys.presentMembers(mode), "NX", Number(result), memberRef(roomnum, uin));
    return false;
  }

  /** Whether presence is complete (false after Redis lost its data, until rebuilt). */
  async isComplete(): Promise<boolean> {
    return (await this.deps.redis.exists(RedisKeys.presenceEpoch)) === 1;
  }
}
