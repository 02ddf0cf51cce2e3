import type { Config } from "../config";
import { Errors } from "../errors";
import { classBeatKeys, memberRef, RedisKeys } from "../infra/redis/keys";
import { oneSlotPerScript, type RedisClient } from "../infra/redis/client";
import { BEAT_KEYS_PER_CLASS } from "../infra/redis/scripts";
import { RoomMode } from "./domain";

/**
 * Who is in class right now, in Redis only (the heartbeat path never touches SQL): per
 * class (one hash slot) a ZSET uin → last beat (ms) of everyone present, a SET of those
 * dropped for silence (their next beat brings them back), and the teacher's last beat
 * while the class is living; a live room also keeps its members' roles and mic status
 * and its thumbs-up count. Beats are script calls on these keys: one for all the beats of
 * one event-loop turn (one per class on a Redis Cluster). Entering, starting and ending also
 * put entries on (or take them off) the reaper's schedules, one pair per kind of room (each judged with
 * its own timeouts), which ReaperSchedule reads and judges. PostgreSQL keeps the history;
 * PresenceRebuild restores this from it after a Redis loss. No script, pipeline or MULTI
 * spans two hash slots (Redis Cluster): independent commands are issued together, and the
 * client writes commands issued together at once (src/infra/redis/client.ts).
 */

export type BeatOutcome = "present" | "revived" | "absent";

/** What a live member's beat also says: its role, and (the host's) the thumbs-up count. */
export interface LiveBeat {
  role: number;
  thumbup: number;
}

interface PendingBeat {
  room: PresenceRoom;
  uin: number;
  isHost: boolean;
  nowMs: number;
  live: LiveBeat | undefined;
  resolve(outcome: BeatOutcome | Promise<BeatOutcome>): void;
  reject(error: unknown): void;
}

/** A room as presence knows it: its number, host and kind. */
export interface PresenceRoom {
  roomnum: number;
  hostUin: number;
  mode: RoomMode;
}

/** A course row (or its facts) as presence knows it. */
export function presenceRoomOf(course: { roomnum: number; hostUin: number; mode: string }): PresenceRoom {
  return { roomnum: course.roomnum, hostUin: course.hostUin, mode: course.mode === RoomMode.live ? RoomMode.live : RoomMode.class };
}

/** Roles in a live room. */
export const LiveRole = { viewer: 0, host: 1, coHost: 2 } as const;

/**
 * One class's beats of a turn, appended to LUA.beatClasses' keys and arguments in one pass (the
 * hot path): its keys; the host's latest beat, the thumbs-up count of a live room, the stride, the
 * number of beats, then each beat.
 */
function appendClassBeats(keys: string[], args: Array<string | number>, roomKeys: readonly string[], beats: readonly PendingBeat[]): void {
  for (const key of roomKeys) keys.push(key);
  let hostBeat = 0;
  let hostThumbup: string | undefined;
  const live = beats[0]?.live !== undefined;
  const header = args.length;
  args.push(0, "", live ? 3 : 2, beats.length);
  for (const b of beats) {
    if (b.isHost) {
      if (b.nowMs > hostBeat) hostBeat = b.nowMs;
      if (b.live) hostThumbup = String(b.live.thumbup);
    }
    if (live) args.push(String(b.uin), b.nowMs, b.live?.role ?? LiveRole.viewer);
    else args.push(String(b.uin), b.nowMs);
  }
  args[header] = hostBeat;
  args[header + 1] = hostThumbup ?? "";
}

/** Classes whose beat keys are kept at once (built once per class, not per beat; the oldest goes first). */
const BEAT_KEYS_KEPT = 10000;

/** Classes whose beats share one script call at most (a standalone Redis): a bound on how long one call holds Redis. */
const CLASSES_PER_BEAT_CALL = 100;

/** How long this instance trusts the live room it read a user last joined (a join on another instance shows that late). */
const JOINED_ROOM_TRUST_MS = 5000;
/** Users whose joined live room is kept in memory at once (one per beating live viewer; the oldest goes first). */
const JOINED_ROOMS_MAX = 100000;

export class PresenceService {
  private pendingBeats = new Map<number, PendingBeat[]>();
  private flushScheduled = false;
  /** uin → the live room it last joined, and until when that is trusted (ms). */
  private readonly joinedLive = new Map<number, { roomnum: number; until: number }>();

  /** A Redis Cluster takes one class's beats per call (a script's keys share a slot); a standalone Redis, a turn's beats of many classes. */
  private readonly oneSlotPerCall: boolean;
  private readonly beatKeysByRoom = new Map<number, readonly string[]>();

  constructor(private readonly deps: { config: Config; redis: RedisClient }) {
    this.oneSlotPerCall = oneSlotPerScript(deps.redis);
  }

  /** A class started: its teacher is present and its silence clock starts now. */
  async classStarted(room: PresenceRoom, nowMs: number): Promise<void> {
    const { redis } = this.deps;
    const { roomnum, hostUin, mode } = room;
    await Promise.all([
      redis.set(RedisKeys.courseAlive(roomnum), nowMs),
      redis.zadd(RedisKeys.livingCourses(mode), nowMs, String(roomnum)),
      redis.zadd(RedisKeys.coursePresence(roomnum), nowMs, String(hostUin)),
      mode === RoomMode.live ? redis.set(RedisKeys.courseThumbup(roomnum), 0) : null,
      mode === RoomMode.live ? redis.hset(RedisKeys.courseRoles(roomnum), String(hostUin), LiveRole.host) : null,
      mode === RoomMode.live ? this.joinedLiveRoom(hostUin, roomnum) : null,
    ]);
  }

  /** A class ended: nobody is present any more. */
  async classEnded(roomnum: number, mode: RoomMode): Promise<void> {
    const { redis } = this.deps;
    const present = await redis.zrange(RedisKeys.coursePresence(roomnum), "0", "-1");
    await Promise.all([
      redis.zrem(RedisKeys.livingCourses(mode), String(roomnum)),
      present.length > 0 ? redis.zrem(RedisKeys.presentMembers(mode), ...present.map((uin) => memberRef(roomnum, Number(uin)))) : null,
      redis.del(
        RedisKeys.coursePresence(roomnum),
        RedisKeys.courseDropped(roomnum),
        RedisKeys.courseAlive(roomnum),
        RedisKeys.courseRoles(roomnum),
        RedisKeys.courseMic(roomnum),
        RedisKeys.courseThumbup(roomnum),
      ),
    ]);
  }

  async entered(room: PresenceRoom, uin: number, nowMs: number, liveRole?: number): Promise<void> {
    const { redis } = this.deps;
    const { roomnum, mode } = room;
    await Promise.all([
      redis.zadd(RedisKeys.coursePresence(roomnum), nowMs, String(uin)),
      redis.srem(RedisKeys.courseDropped(roomnum), String(uin)),
      uin === room.hostUin ? null : redis.zadd(RedisKeys.presentMembers(mode), nowMs, memberRef(roomnum, uin)),
      liveRole === undefined ? null : redis.hset(RedisKeys.courseRoles(roomnum), String(uin), liveRole),
      liveRole === undefined ? null : this.joinedLiveRoom(uin, roomnum),
    ]);
  }

  /** The live room a user joins (or creates): its later beats that name no room of theirs beat there. */
  private async joinedLiveRoom(uin: number, roomnum: number): Promise<void> {
    await this.deps.redis.set(RedisKeys.liveRoomOf(uin), roomnum);
    this.rememberJoined(uin, roomnum);
  }

  /**
   * The live room a user last joined, if any: from memory for a moment after it was read (the
   * hot path of viewers whose beats name no room), from Redis when `fresh` or no longer trusted.
   */
  async liveRoomJoined(uin: number, fresh = false): Promise<number | undefined> {
    const known = this.joinedLive.get(uin);
    if (known && !fresh && known.until > Date.now()) return known.roomnum;
    const value = await this.deps.redis.get(RedisKeys.liveRoomOf(uin));
    const roomnum = value === null ? undefined : Number(value);
    if (roomnum === undefined) this.joinedLive.delete(uin);
    else this.rememberJoined(uin, roomnum);
    return roomnum;
  }

  private rememberJoined(uin: number, roomnum: number): void {
    if (this.joinedLive.size >= JOINED_ROOMS_MAX && !this.joinedLive.has(uin)) this.joinedLive.delete(this.joinedLive.keys().next().value!);
    this.joinedLive.set(uin, { roomnum, until: Date.now() + JOINED_ROOM_TRUST_MS });
  }

  /** Left on purpose: no beat brings the member back. */
  async left(roomnum: number, uin: number, mode: RoomMode): Promise<void> {
    const { redis } = this.deps;
    await Promise.all([
      redis.zrem(RedisKeys.coursePresence(roomnum), String(uin)),
      redis.srem(RedisKeys.courseDropped(roomnum), String(uin)),
      redis.zrem(RedisKeys.presentMembers(mode), memberRef(roomnum, uin)),
      mode === RoomMode.live ? redis.hdel(RedisKeys.courseRoles(roomnum), String(uin)) : null,
      mode === RoomMode.live ? redis.hdel(RedisKeys.courseMic(roomnum), String(uin)) : null,
    ]);
  }

  /**
   * The heartbeat. Beats that arrive in the same turn of the event loop are written
   * together, in one call (LUA.beatClasses) instead of one each: a class of 1,000 students
   * beats 333 times a second, and a fleet's turn carries beats of many classes (about 25 under
   * the fleet benchmark). On a Redis Cluster each class has its own call. A live
   * member's beat also says its role (and the host's, the thumbs-up count).
   */
  beat(room: PresenceRoom, uin: number, nowMs: number, live?: LiveBeat): Promise<BeatOutcome> {
    // One promise per beat, settled by the batch's reply (the hot path: no async frame waits on it).
    return new Promise<BeatOutcome>((resolve, reject) => {
      let beats = this.pendingBeats.get(room.roomnum);
      if (!beats) this.pendingBeats.set(room.roomnum, (beats = []));
      beats.push({ room, uin, isHost: uin === room.hostUin, nowMs, live, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushBeats());
      }
    });
  }

  /** What LUA.beatClasses' code for a beat means. */
  private outcomeOf(beat: PendingBeat, code: number): BeatOutcome | Promise<BeatOutcome> {
    if (code === 1) return "present";
    // Over the member's limit: nothing was written; the answer says when the next beat is taken.
    if (code < 0) throw Errors.tooManyRequests(Math.ceil(-code / 1000));
    if (code !== 2) return "absent";
    if (beat.isHost) return "revived";
    // Back from a drop: the reaper judges it again from now on.
    const { room, uin, nowMs } = beat;
    return this.deps.redis.zadd(RedisKeys.presentMembers(room.mode), nowMs, memberRef(room.roomnum, uin)).then(() => "revived" as const);
  }

  private flushBeats(): void {
    this.flushScheduled = false;
    const batches = this.pendingBeats;
    this.pendingBeats = new Map();
    const perCall = this.oneSlotPerCall ? 1 : CLASSES_PER_BEAT_CALL;
    let keys: string[] = [];
    let args: Array<string | number> = [this.deps.config.rateLimits.heartbeats];
    let waiting: PendingBeat[] = [];
    for (const [roomnum, beats] of batches) {
      appendClassBeats(keys, args, this.beatKeys(roomnum), beats);
      for (const b of beats) waiting.push(b);
      if (keys.length < perCall * BEAT_KEYS_PER_CLASS) continue;
      this.sendBeats(keys, args, waiting);
      [keys, args, waiting] = [[], [this.deps.config.rateLimits.heartbeats], []];
    }
    if (waiting.length > 0) this.sendBeats(keys, args, waiting);
  }

  private beatKeys(roomnum: number): readonly string[] {
    let keys = this.beatKeysByRoom.get(roomnum);
    if (!keys) {
      if (this.beatKeysByRoom.size >= BEAT_KEYS_KEPT) this.beatKeysByRoom.delete(this.beatKeysByRoom.keys().next().value!);
      this.beatKeysByRoom.set(roomnum, (keys = classBeatKeys(roomnum)));
    }
    return keys;
  }

  /** One LUA.beatClasses call; each beat learns its own outcome. */
  private sendBeats(keys: readonly string[], args: ReadonlyArray<string | number>, beats: readonly PendingBeat[]): void {
    const { redis } = this.deps;
    (this.oneSlotPerCall ? redis.beatOneClass(...keys, ...args) : redis.beatClasses(keys.length, ...keys, ...args)).then(
      (codes) => beats.forEach((b, i) => this.settle(b, Number(codes[i]))),
      (error: unknown) => beats.forEach((b) => b.reject(error)),
    );
  }

  private settle(beat: PendingBeat, code: number): void {
    try {
      beat.resolve(this.outcomeOf(beat, code));
    } catch (error) {
      beat.reject(error);
    }
  }

  /** Present members, ascending uin, leaving out members silent longer than the member timeout. */
  async presentMembers(room: PresenceRoom, nowMs: number): Promise<number[]> {
    const freshSince = nowMs - this.deps.config.roomTimeouts[room.mode].memberS * 1000;
    const entries = await this.deps.redis.zrange(RedisKeys.coursePresence(room.roomnum), "0", "-1", "WITHSCORES");
    const uins: number[] = [];
    for (let i = 0; i < entries.length; i += 2) {
      const uin = Number(entries[i]);
      if (uin === room.hostUin || Number(entries[i + 1]) >= freshSince) uins.push(uin);
    }
    return uins.sort((a, b) => a - b);
  }

  /** memsize of several classes at once (same freshness rule as presentMembers). */
  async countPresent(rooms: readonly PresenceRoom[], nowMs: number): Promise<Map<number, number>> {
    const counts = new Map<number, number>();
    if (rooms.length === 0) return counts;
    const { redis, config } = this.deps;
    await Promise.all(
      rooms.map(async ({ roomnum, hostUin, mode }) => {
        const freshSince = nowMs - config.roomTimeouts[mode].memberS * 1000;
        const key = RedisKeys.coursePresence(roomnum);
        const [fresh, hostScore] = await Promise.all([redis.zcount(key, freshSince, "+inf"), redis.zscore(key, String(hostUin))]);
        // The teacher counts while present, even when silent longer than a student may be.
        const staleHost = hostScore !== null && Number(hostScore) < freshSince ? 1 : 0;
        counts.set(roomnum, fresh + staleHost);
      }),
    );
    return counts;
  }

  /** A live room's members' roles (uin → role), and its thumbs-up count. */
  async liveState(roomnum: number): Promise<{ roles: Map<number, number>; thumbup: number }> {
    const [roles, thumbup] = await Promise.all([this.deps.redis.hgetall(RedisKeys.courseRoles(roomnum)), this.deps.redis.get(RedisKeys.courseThumbup(roomnum))]);
    return { roles: new Map(Object.entries(roles).map(([uin, role]) => [Number(uin), Number(role)])), thumbup: Number(thumbup ?? 0) };
  }

  /** Several live rooms' thumbs-up counts. */
  async thumbupsOf(roomnums: readonly number[]): Promise<Map<number, number>> {
    const values = await Promise.all(roomnums.map((roomnum) => this.deps.redis.get(RedisKeys.courseThumbup(roomnum))));
    return new Map(roomnums.map((roomnum, i) => [roomnum, Number(values[i] ?? 0)]));
  }

  /** A live room's thumbs-up count (reportroom starts it afresh). */
  async setThumbup(roomnum: number, count: number): Promise<void> {
    await this.deps.redis.set(RedisKeys.courseThumbup(roomnum), count);
  }

  /** A live member's role and mic status as it reports them (reportstatus, request). */
  async setLiveMember(roomnum: number, uin: number, change: { role?: number; mic?: "on" | "off" }): Promise<void> {
    const { redis } = this.deps;
    await Promise.all([
      change.role === undefined ? null : redis.hset(RedisKeys.courseRoles(roomnum), String(uin), change.role),
      change.mic === undefined ? null : redis.hset(RedisKeys.courseMic(roomnum), String(uin), change.mic),
    ]);
  }

  /** The teacher's last beat of a living class (ms), or undefined if Redis does not know it. */
  async teacherLastBeat(roomnum: number): Promise<number | undefined> {
    const value = await this.deps.redis.get(RedisKeys.courseAlive(roomnum));
    return value === null ? undefined : Number(value);
  }
}
