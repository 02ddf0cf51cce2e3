import type { Config, SdkApp } from "../config";
import { type AppError, Errors } from "../errors";
import type { Course } from "../generated/prisma/client";
import type { Db } from "../infra/db/prisma";
import { ClassMarker, ImError, type ImClient } from "../infra/tencent/im";
import type { Logger } from "../logger";
import type { CourseLock } from "./course-lock";
import type { CourseService } from "./courses";
import { CourseState, EndReason, imTimestampNow, LeaveReason, nowToTheSecond, Role, type SessionUser } from "./domain";
import type { PresenceService } from "./presence";

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
      im: ImClient;
      log: Logger;
      lock: CourseLock;
      courses: CourseService;
      presence: PresenceService;
    },
  ) {}

  async start(app: SdkApp, user: SessionUser, roomnum: number, timeStamp: number): Promise<void> {
    const course = await this.deps.courses.get(app, roomnum);
    if (user.role !== Role.teacher || course.hostUin !== user.uin) throw Errors.onlyOwnerStarts();
    if (course.state !== CourseState.created) throw Errors.startNeedsCreated();
    await this.deps.lock.with(roomnum, Errors.startNeedsCreated, async () => {
      const { db } = this.deps;
      const fresh = await db.course.findUniqueOrThrow({ where: { roomnum } });
      if (fresh.state !== CourseState.created) throw Errors.startNeedsCreated();
      const seq = await this.postMarker(app, roomnum, ClassMarker.start, timeStamp, user.uid);
      const now = nowToTheSecond();
      await db.$transaction(async (tx) => {
        const started = await tx.course.updateMany({
          where: { roomnum, state: CourseState.created },
          data: { state: CourseState.living, startedAt: now, effectiveAt: now, startImSeq: seq, memberVersion: { increment: 1 } },
        });
        if (started.count !== 1) throw Errors.startNeedsCreated();
        await tx.classMember.create({ data: { roomnum, uin: user.uin, role: Role.teacher, joinedAt: now } });
      });
      await this.deps.presence.classStarted(roomnum, user.uin, now.getTime());
    });
  }

  /** exitroom: the owning teacher ends the class. */
  async end(app: SdkApp, user: SessionUser, roomnum: number, timeStamp: number): Promise<void> {
    const course = await this.deps.courses.get(app, roomnum);
    if (user.role !== Role.teacher || course.hostUin !== user.uin) throw Errors.onlyOwnerEnds();
    if (course.state !== CourseState.living) throw Errors.exitNeedsLiving();
    await this.deps.lock.with(roomnum, Errors.exitNeedsLiving, async () => {
      const fresh = await this.deps.db.course.findUniqueOrThrow({ where: { roomnum } });
      if (fresh.state !== CourseState.living) throw Errors.exitNeedsLiving();
      await this.finish(app, fresh, user.uid, EndReason.teacher, timeStamp, Errors.exitNeedsLiving);
    });
  }

  /**
   * The reaper: ends a class whose teacher has been silent since before `deadlineMs`,
   * exactly like exitroom (B6). Returns false when there is nothing to do (another
   * instance holds the class, the teacher beat meanwhile, or it already ended).
   * Throws ImError when IM fails (the class stays living, to be tried again).
   */
  async endSilent(roomnum: number, deadlineMs: number): Promise<boolean> {
    const { db, presence, config, log } = this.deps;
    const ended = await this.deps.lock.with(roomnum, null, async () => {
      const lastBeat = await presence.teacherLastBeat(roomnum);
      if (lastBeat === undefined || lastBeat > deadlineMs) return false; // a fresh read under the lock
      const course = await db.course.findUnique({ where: { roomnum }, include: { host: { select: { uid: true } } } });
      if (!course || course.state !== CourseState.living) {
        await presence.classEnded(roomnum);
        return false;
      }
      const app = config.sdkApps.get(course.appid);
      if (!app) {
        log.error({ roomnum, appid: course.appid }, "silent class of an app no longer configured");
        return false;
      }
      await this.finish(app, course, course.host.uid, EndReason.timeout, imTimestampNow(), null);
      return true;
    });
    return ended === true;
  }

  private async finish(app: SdkApp, course: Course, hostUid: string, reason: EndReason, timeStamp: number, lost: (() => AppError) | null): Promise<void> {
    const { db, config, presence } = this.deps;
    const roomnum = course.roomnum;
    const seq = await this.postMarker(app, roomnum, ClassMarker.end, timeStamp, hostUid, lost === null);
    const now = nowToTheSecond();
    // One batch transaction (a single round of statements): the course ends and every
    // open stay closes. Under the course lock, with the state re-read, it always applies.
    const [ended] = await db.$transaction([
      db.course.updateMany({
        where: { roomnum, state: CourseState.living },
        data: {
          state: CourseState.ended,
          endedAt: now,
          endImSeq: seq,
          endReason: reason,
          replayIndexDueAt: new Date(now.getTime() + config.replayIndexDelayS * 1000),
          memberVersion: { increment: 1 },
        },
      }),
      db.classMember.updateMany({ where: { roomnum, leftAt: null }, data: { leftAt: now, leaveReason: LeaveReason.classEnded } }),
    ]);
    const changed = ended.count === 1;
    if (!changed && lost) throw lost();
    await presence.classEnded(roomnum);
  }

  /** Posts a class marker; IM failure is 10103 for a request, an ImError for the reaper. */
  private async postMarker(app: SdkApp, roomnum: number, type: (typeof ClassMarker)["start" | "end"], timeStamp: number, uid: string, rethrow = false): Promise<number> {
    try {
      return await this.deps.im.sendClassMarker(app, String(roomnum), { type, timestamp: timeStamp, value: { uid } });
    } catch (error) {
      if (!(error instanceof ImError)) throw error;
      this.deps.log.warn({ roomnum, type, err: error.message }, "IM marker failed");
      if (rethrow) throw error;
      throw Errors.imSendFailed();
    }
  }
}
