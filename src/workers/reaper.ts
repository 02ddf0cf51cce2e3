import type { Config } from "../config";
import { forEachInBatches } from "../lib/batches";
import type { Logger } from "../logger";
import type { Services } from "../services";
import { ROOM_MODES, RoomMode } from "../services/domain";
import { Periodic } from "./periodic";

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
/** Silent classes are ended in batches of this size (one SQL statement each), this many at once. */
const END_BATCH = 100;
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

export class Reaper {
  private readonly periodic: Periodic;

  constructor(private readonly deps: { config: Config; services: Services; log: Logger }) {
    this.periodic = new Periodic(() => this.sweep(), deps.config.reaperIntervalMs, (error) => deps.log.error({ err: error }, "reaper sweep failed"));
  }

  async sweep(nowMs = Date.now()): Promise<SweepResult> {
    const { services, log } = this.deps;
    const result: SweepResult = { rebuilt: false, classesEnded: 0, endedRoomnums: [], membersDropped: 0, failures: 0 };
    const recording = services.sessions.recordHeartbeatUse().catch((error: unknown) => log.warn({ err: error }, "could not record heartbeat token use"));
    if (!(await services.schedule.isComplete())) {
      result.rebuilt = await services.presenceRebuild.rebuild(nowMs);
      await recording;
      return result;
    }
    // The classroom first, then the live rooms: each kind of room with its own timeouts.
    for (const mode of ROOM_MODES) await this.sweepRooms(mode, nowMs, result);
    await recording;
    const { endedRoomnums: _rooms, ...counts } = result;
    if (result.classesEnded + result.membersDropped > 0) log.info(counts, "reaper sweep");
    return result;
  }

  /** One kind of room: its silent hosts' rooms end, its silent members leave. */
  private async sweepRooms(mode: RoomMode, nowMs: number, result: SweepResult): Promise<void> {
    const { services, config } = this.deps;
    const timeouts = config.roomTimeouts[mode];
    const hostDeadline = nowMs - timeouts.hostS * 1000;
    const memberDeadline = nowMs - timeouts.memberS * 1000;
    const [silentClasses, silentMembers] = await Promise.all([
      services.schedule.silentClasses(mode, hostDeadline, CLASS_BATCH),
      services.schedule.claimSilentMembers(mode, memberDeadline, MEMBER_BATCH),
    ]);
    // Classes that beat meanwhile are rescheduled; the silent ones end in batches.
    const toEnd: number[] = [];
    await forEachInBatches(silentClasses, CONCURRENCY, async (roomnum) => {
      const lastBeat = await services.presence.teacherLastBeat(roomnum);
      if (lastBeat === undefined) await services.schedule.restartSilenceClock(mode, roomnum, nowMs);
      else if (lastBeat > hostDeadline) await services.schedule.judgeClassAgain(mode, roomnum, lastBeat);
      else toEnd.push(roomnum);
    });
    await this.endSilent(mode, toEnd, hostDeadline, result);
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
    const batches = Array.from({ length: Math.ceil(toEnd.length / END_BATCH) }, (_, i) => toEnd.slice(i * END_BATCH, (i + 1) * END_BATCH));
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
