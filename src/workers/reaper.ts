import type { Config } from "../config";
import { forEachInBatches } from "../lib/batches";
import type { Logger } from "../logger";
import type { Services } from "../services";
import { ROOM_MODES, RoomMode } from "../services/domain";
import { Periodic } from "./periodic";
import type { Metrics } from "../metrics/metrics";

/**
 * The reaper, in every instance (or alone as `npm run reaper`): every sweep it ends
 * classes whose teacher has been silent longer than TEACHER_TIMEOUT_S (exactly like
 * exitroom) and drops members silent longer than MEMBER_TIMEOUT_S; live rooms alike, with
 * LIVE_HOST_TIMEOUT_S and LIVE_MEMBER_TIMEOUT_S (and no IM markers). It reads only what
 * is due (range queries on its schedules, see ReaperSchedule), so a sweep's cost does
 * not grow with the number of healthy classes. Several instances cooperate: members are claimed
 * atomically, classes are ended under the per-course lock. Each sweep also writes to SQL the
 * last use of tokens that only heartbeats refreshed (kept off the hot path).
 */

/** Most classes or members judged per sweep; the rest wait for the next one. Members fall due
 *  at about members / MEMBER_TIMEOUT_S a second (each is rescheduled once per timeout). */
const CLASS_BATCH = 500;
const MEMBER_BATCH = 5000;
/** Classes ended at once (each is an IM call plus a transaction). */
const CONCURRENCY = 16;
/** Silent classes are ended in batches (one SQL statement each, at most MAX_END_BATCH classes),
 *  this many at once, split evenly so that no batch runs alone at the end of a sweep. */
const MAX_END_BATCH = 200;
const PARALLEL_END_BATCHES = 4;
/** After a failed end (IM down), the class is judged again this much later. */
const RETRY_AFTER_MS = 10000;

export interface SweepResult {
  /** Presence was rebuilt from PostgreSQL instead of judging (Redis had lost it). */
  rebuilt: boolean;
  classesEnded: number;
  /** The rooms this sweep ended (of every kind). */
  endedRoomnums: number[];
  membersDropped: number;
  failures: number;
}

interface RoomsDue {
  mode: RoomMode;
  nowMs: number;
  hostDeadline: number;
  memberDeadline: number;
  silentClasses: number[];
  membersDue: boolean;
}

export class Reaper {
  private readonly periodic: Periodic;

  constructor(private readonly deps: { config: Config; services: Services; log: Logger; metrics?: Metrics }) {
    this.periodic = new Periodic(() => this.sweep(), deps.config.reaperIntervalMs, (error) => deps.log.error({ err: error }, "reaper sweep failed"));
  }

  async sweep(nowMs = Date.now()): Promise<SweepResult> {
    const { services, log } = this.deps;
    const started = process.hrtime.bigint();
    const result: SweepResult = { rebuilt: false, classesEnded: 0, endedRoomnums: [], membersDropped: 0, failures: 0 };
    const recording = services.sessions.recordHeartbeatUse().catch((error: unknown) => log.warn({ err: error }, "could not record heartbeat token use"));
    // One round of reads, all at once: whether presence is whole, and what is due in each kind of room.
    const [complete, ...dues] = await Promise.all([services.schedule.isComplete(), ...ROOM_MODES.map((mode) => this.due(mode, nowMs))]);
    if (!complete) {
      result.rebuilt = await services.presenceRebuild.rebuild(nowMs);
    } else {
      await Promise.all(dues.map((due) => this.judge(due, result)));
    }
    await recording;
    this.deps.metrics?.reaperSweep(Number(process.hrtime.bigint() - started) / 1e9, result.classesEnded, result.membersDropped);
    const { endedRoomnums: _rooms, ...counts } = result;
    if (result.classesEnded + result.membersDropped > 0) log.info(counts, "reaper sweep");
    return result;
  }

  /** What one kind of room has due (read only; members are claimed later, and only if some are due). */
  private async due(mode: RoomMode, nowMs: number): Promise<RoomsDue> {
    const { services, config } = this.deps;
    const timeouts = config.roomTimeouts[mode];
    const hostDeadline = nowMs - timeouts.hostS * 1000;
    const memberDeadline = nowMs - timeouts.memberS * 1000;
    const [silentClasses, membersDue] = await Promise.all([
      services.schedule.silentClasses(mode, hostDeadline, CLASS_BATCH),
      services.schedule.anyMemberDue(mode, memberDeadline),
    ]);
    return { mode, nowMs, hostDeadline, memberDeadline, silentClasses, membersDue };
  }

  /** One kind of room: its silent hosts' rooms end, its silent members leave. */
  private async judge(due: RoomsDue, result: SweepResult): Promise<void> {
    const { services } = this.deps;
    const { mode, nowMs, hostDeadline, memberDeadline } = due;
    // Classes that beat meanwhile are rescheduled; the silent ones end in batches.
    const toEnd: number[] = [];
    await forEachInBatches(due.silentClasses, CONCURRENCY, async (roomnum) => {
      const lastBeat = await services.presence.teacherLastBeat(roomnum);
      if (lastBeat === undefined) await services.schedule.restartSilenceClock(mode, roomnum, nowMs);
      else if (lastBeat > hostDeadline) await services.schedule.judgeClassAgain(mode, roomnum, lastBeat);
      else toEnd.push(roomnum);
    });
    await this.endSilent(mode, toEnd, hostDeadline, result);
    if (!due.membersDue) return;
    const silentMembers = await services.schedule.claimSilentMembers(mode, memberDeadline, MEMBER_BATCH);
    await forEachInBatches(silentMembers, CONCURRENCY * 4, async ({ roomnum, uin }) => {
      try {
        if (await services.members.dropSilent(mode, roomnum, uin, memberDeadline)) result.membersDropped += 1;
      } catch (error) {
        result.failures += 1;
        this.deps.log.warn({ roomnum, uin, err: error }, "could not drop a silent member; will retry");
        await services.schedule.judgeMemberAgain(mode, roomnum, uin, memberDeadline + RETRY_AFTER_MS).catch(() => undefined);
      }
    });
  }

  /** Ends silent rooms in batches, several at once (one's IM markers overlap another's database write); failures are judged again later. */
  private async endSilent(mode: RoomMode, toEnd: readonly number[], hostDeadline: number, result: SweepResult): Promise<void> {
    const { services, log } = this.deps;
    const ender = mode === RoomMode.live ? services.liveRooms : services.lifecycle;
    const retry = (roomnums: readonly number[]) =>
      forEachInBatches(roomnums, CONCURRENCY, (roomnum) => services.schedule.judgeClassAgain(mode, roomnum, hostDeadline + RETRY_AFTER_MS));
    if (toEnd.length === 0) return;
    const size = Math.min(MAX_END_BATCH, Math.ceil(toEnd.length / PARALLEL_END_BATCHES));
    const batches = Array.from({ length: Math.ceil(toEnd.length / size) }, (_, i) => toEnd.slice(i * size, (i + 1) * size));
    await forEachInBatches(batches, PARALLEL_END_BATCHES, async (batch) => {
      try {
        const { ended, failed } = await ender.endSilentClasses(batch, hostDeadline);
        result.classesEnded += ended.length;
        result.endedRoomnums.push(...ended);
        result.failures += failed.length;
        if (failed.length > 0) log.warn({ mode, classes: failed }, "could not end silent classes (IM); will retry");
        await retry(failed);
      } catch (error) {
        result.failures += batch.length;
        log.error({ mode, err: error }, "could not end silent classes; will retry");
        await retry(batch).catch(() => undefined);
      }
    });
  }

  /** Sweeps every REAPER_INTERVAL_MS; sweeps never overlap. */
  start(): void {
    this.periodic.start();
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }
}
