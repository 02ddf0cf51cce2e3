import type { Config, SdkApp } from "../config";
import { type AppError, Errors } from "../errors";
import { type ClassEnd, type ClassEndCommon, classesForReaper, endLivingClasses } from "../infra/db/class-end";
import type { Db } from "../infra/db/prisma";
import { ClassMarker, ImError } from "../infra/tencent/im";
import { forEachInBatches } from "../lib/batches";
import type { Logger } from "../logger";
import type { CourseLock } from "./course-lock";
import type { Course } from "./courses";
import { CourseState, EndReason, ReplayIndexStatus, RoomMode, imTimestampNow, LeaveReason, nowToTheSecond, Role, type SessionUser, unixSeconds } from "./domain";
import type { WebhookOutbox } from "../webhooks/outbox";
import { attendanceOf } from "./attendance";
import type { ClassMarkers, MarkedChange } from "./markers";
import type { PresenceService } from "./presence";
import type { RelayService } from "./relay";

/** How course.ended says who ended a class. */
const WEBHOOK_END_REASON: Record<EndReason, "teacher" | "reaper" | "operator"> = { teacher: "teacher", timeout: "reaper", operator: "operator" };

/** IM markers (and lock calls) in flight at once when the reaper ends a batch of classes. */
const MARKER_CONCURRENCY = 32;

/**
 * A class starts and ends here. Each change is all-or-nothing: under the course lock,
 * the IM marker is posted first (its MsgSeq is the boundary in the chat), then one
 * transaction changes the state conditionally; if IM fails nothing changes (10103).
 */
export class ClassLifecycle {
  constructor(
    private readonly deps: {
      config: Config;
      db: Db;
      markers: ClassMarkers;
      log: Logger;
      lock: CourseLock;
      presence: PresenceService;
      relay: RelayService;
      outbox: WebhookOutbox;
    },
  ) {}

  /** startcourse (the access policy has checked the owner). */
  async start(app: SdkApp, user: SessionUser, course: Course, timeStamp: number): Promise<void> {
    const { roomnum } = course;
    if (course.state !== CourseState.created) throw Errors.startNeedsCreated();
    await this.deps.lock.with(roomnum, Errors.startNeedsCreated, async () => {
      const { db } = this.deps;
      const fresh = await db.course.findUniqueOrThrow({ where: { roomnum } });
      if (fresh.state !== CourseState.created) throw Errors.startNeedsCreated();
      const seq = await this.postMarker(app, roomnum, "start", ClassMarker.start, timeStamp, user.uid);
      const now = nowToTheSecond();
      await db.$transaction(async (tx) => {
        const started = await tx.course.updateMany({
          where: { roomnum, state: CourseState.created },
          data: { state: CourseState.living, startedAt: now, effectiveAt: now, startImSeq: seq, memberVersion: { increment: 1 } },
        });
        if (started.count !== 1) throw Errors.startNeedsCreated();
        await tx.classMember.create({ data: { roomnum, uin: user.uin, role: Role.teacher, joinedAt: now } });
        const base = { appid: app.sdkAppId, roomnum, occurredAt: now };
        await this.deps.outbox.record(tx, [
          { ...base, type: "course.started", data: { roomnum, mode: "class", title: course.title, host_uid: user.uid, begin_time: unixSeconds(now), begin_imseq: seq } },
          { ...base, type: "member.joined", data: { roomnum, uid: user.uid, role: Role.teacher, join_time: unixSeconds(now) } },
        ]);
      });
      await this.deps.markers.settle(roomnum, "start");
      await this.deps.presence.classStarted({ roomnum, hostUin: user.uin, mode: RoomMode.class }, now.getTime());
    });
    await this.deps.relay.classStarted(app, course);
  }

  /** exitroom: the owning teacher ends the class (the access policy has checked the owner). */
  async end(app: SdkApp, user: SessionUser, course: Course, timeStamp: number): Promise<void> {
    const { roomnum } = course;
    if (course.state !== CourseState.living) throw Errors.exitNeedsLiving();
    await this.deps.lock.with(roomnum, Errors.exitNeedsLiving, async () => {
      const fresh = await this.deps.db.course.findUniqueOrThrow({ where: { roomnum } });
      if (fresh.state !== CourseState.living) throw Errors.exitNeedsLiving();
      await this.finish(app, roomnum, user.uid, EndReason.teacher, timeStamp, Errors.exitNeedsLiving);
    });
    await this.deps.relay.classesEnded([roomnum]);
  }

  /** An operator ends a living class from the console: as exitroom, in the teacher's name on IM, with reason "operator". */
  async endByOperator(app: SdkApp, course: Course): Promise<void> {
    const { roomnum } = course;
    if (course.state !== CourseState.living) throw Errors.exitNeedsLiving();
    await this.deps.lock.with(roomnum, Errors.exitNeedsLiving, async () => {
      const fresh = await this.deps.db.course.findUniqueOrThrow({ where: { roomnum }, include: { host: { select: { uid: true } } } });
      if (fresh.state !== CourseState.living) throw Errors.exitNeedsLiving();
      await this.finish(app, roomnum, fresh.host.uid, EndReason.operator, imTimestampNow(), Errors.exitNeedsLiving);
    });
    await this.deps.relay.classesEnded([roomnum]);
  }

  /**
   * The reaper: ends the classes whose teacher has been silent since before `deadlineMs`,
   * exactly like exitroom (B6), in one database write for the batch. A class another
   * instance holds, whose teacher beat meanwhile, or that already ended is left alone; a
   * class whose IM marker fails stays living and is returned in `failed` (to try again).
   */
  async endSilentClasses(roomnums: readonly number[], deadlineMs: number): Promise<{ ended: number[]; failed: number[] }> {
    const { db, presence, config, log, lock } = this.deps;
    const held = new Map<number, string>();
    const failed: number[] = [];
    let ended: number[];
    try {
      await forEachInBatches(roomnums, MARKER_CONCURRENCY, async (roomnum) => {
        const token = await lock.acquireIdle(roomnum);
        if (token === undefined) return;
        held.set(roomnum, token);
      });
      // Fresh reads under the locks: the teacher may have beaten, another instance may have ended it.
      const silent: number[] = [];
      await forEachInBatches([...held.keys()], MARKER_CONCURRENCY, async (roomnum) => {
        const lastBeat = await presence.teacherLastBeat(roomnum);
        if (lastBeat !== undefined && lastBeat <= deadlineMs) silent.push(roomnum);
      });
      const classes = await classesForReaper(db, silent);
      const ends: ClassEnd[] = [];
      await forEachInBatches(classes, MARKER_CONCURRENCY, async (course) => {
        if (course.state !== CourseState.living) return presence.classEnded(course.roomnum, RoomMode.class);
        const app = config.sdkApps.get(course.appid);
        if (!app) return log.error({ roomnum: course.roomnum, appid: course.appid }, "silent class of an app no longer configured");
        try {
          const seq = await this.postMarker(app, course.roomnum, "end", ClassMarker.end, imTimestampNow(), course.hostUid, true);
          ends.push({ roomnum: course.roomnum, endImSeq: seq });
        } catch (error) {
          if (!(error instanceof ImError)) throw error;
          failed.push(course.roomnum);
        }
      });
      const done = await this.endAndTell(ends, this.endOf(EndReason.timeout));
      ended = [...done];
      await forEachInBatches(ended, MARKER_CONCURRENCY, (roomnum) => this.recordedEnd(roomnum));
    } finally {
      await forEachInBatches([...held], MARKER_CONCURRENCY, ([roomnum, token]) => lock.release(roomnum, token));
    }
    await this.deps.relay.classesEnded(ended);
    return { ended, failed };
  }

  private async finish(app: SdkApp, roomnum: number, hostUid: string, reason: EndReason, timeStamp: number, lost: () => AppError): Promise<void> {
    const seq = await this.postMarker(app, roomnum, "end", ClassMarker.end, timeStamp, hostUid);
    // Under the course lock, with the state re-read, this always applies.
    const done = await this.endAndTell([{ roomnum, endImSeq: seq }], this.endOf(reason));
    if (!done.has(roomnum)) throw lost();
    await this.recordedEnd(roomnum);
  }

  /**
   * Ends the classes still living (one statement); with webhooks, in a transaction that also
   * records each one's course.ended (the classes' rows stay locked by the end until it commits).
   */
  private async endAndTell(ends: readonly ClassEnd[], common: ClassEndCommon): Promise<Set<number>> {
    const { db, outbox } = this.deps;
    if (!outbox.listensToAny()) return endLivingClasses(db, ends, common);
    return db.$transaction(async (tx) => {
      const done = await endLivingClasses(tx, ends, common);
      const ended = await tx.course.findMany({ where: { roomnum: { in: [...done] } }, include: { host: { select: { uid: true } } } });
      const reason = WEBHOOK_END_REASON[common.endReason as EndReason];
      const stays = await tx.classMember.findMany({ where: { roomnum: { in: [...done] } }, orderBy: [{ joinedAt: "asc" }, { id: "asc" }], include: { account: { select: { uid: true } } } });
      const events = ended.flatMap((c) => {
        const base = { appid: c.appid, roomnum: c.roomnum, occurredAt: common.endedAt };
        const own = stays.filter((s) => s.roomnum === c.roomnum).map((s) => ({ ...s, uid: s.account.uid }));
        const members = attendanceOf(own, common.endedAt.getTime()).map((m) => ({
          uid: m.uid,
          role: m.role,
          minutes: m.minutes,
          first_join: unixSeconds(m.firstJoin),
          last_leave: unixSeconds(m.lastLeave),
          stays: m.stays,
        }));
        return [
          { ...base, type: "course.ended" as const, data: { roomnum: c.roomnum, mode: "class" as const, title: c.title, host_uid: c.host.uid, end_time: unixSeconds(common.endedAt), end_imseq: c.endImSeq, reason } },
          { ...base, type: "attendance.ready" as const, data: { roomnum: c.roomnum, members } },
        ];
      });
      await outbox.record(tx, events);
      return done;
    });
  }

  /** After an end is recorded: its marker is settled and nobody is present any more. */
  private async recordedEnd(roomnum: number): Promise<void> {
    await Promise.all([this.deps.markers.settle(roomnum, "end"), this.deps.presence.classEnded(roomnum, RoomMode.class)]);
  }

  /** What every class ended now shares: end time, reason, replay index due time. */
  private endOf(reason: EndReason): ClassEndCommon {
    const now = nowToTheSecond();
    return {
      endedAt: now,
      endReason: reason,
      replayIndexDueAt: new Date(now.getTime() + this.deps.config.replayIndex.delayS * 1000),
      replayIndexStatus: ReplayIndexStatus.waiting,
      leaveReason: LeaveReason.classEnded,
    };
  }

  /** Posts a class marker; IM failure is 10103 for a request, an ImError for the reaper. */
  private postMarker(app: SdkApp, roomnum: number, change: MarkedChange, type: (typeof ClassMarker)["start" | "end"], timeStamp: number, uid: string, rethrow = false): Promise<number> {
    const marker = { type, timestamp: timeStamp, value: { uid } };
    return rethrow ? this.deps.markers.post(app, roomnum, change, marker) : this.deps.markers.postOrRefuse(app, roomnum, change, marker);
  }
}
