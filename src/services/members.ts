import type { SdkApp } from "../config";
import { AppError, ErrorCode, Errors } from "../errors";
import type { Db } from "../infra/db/prisma";
import { ClassMarker } from "../infra/tencent/im";
import type { CourseLock } from "./course-lock";
import type { Course, CourseFacts } from "./courses";
import type { ClassMarkers } from "./markers";
import { CourseState, LeaveReason, nowToTheSecond, type SessionUser } from "./domain";
import type { PresenceService } from "./presence";
import type { ReaperSchedule } from "./reaper-schedule";

/**
 * Members entering and leaving a living class, the member list and the heartbeat.
 * PostgreSQL keeps one row per stay (never deleted); Redis says who is present now.
 */

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export class MemberService {
  constructor(
    private readonly deps: {
      db: Db;
      markers: ClassMarkers;
      lock: CourseLock;
      presence: PresenceService;
      schedule: ReaperSchedule;
    },
  ) {}

  /**
   * A member enters: as one of those entering, so the class cannot end meanwhile; the state
   * is read again first, so no 1003 marker is posted for an enter that does not happen.
   */
  async enter(app: SdkApp, user: SessionUser, course: Course, timeStamp: number): Promise<void> {
    const { roomnum } = course;
    if (course.state !== CourseState.living) throw Errors.memberNeedsLiving();
    const change = `enter:${user.uin}` as const;
    await this.deps.lock.whileEntering(roomnum, Errors.memberNeedsLiving, async () => {
      const fresh = await this.deps.db.course.findUnique({ where: { roomnum }, select: { state: true } });
      if (fresh?.state !== CourseState.living) throw Errors.memberNeedsLiving();
      await this.deps.markers.postOrRefuse(app, roomnum, change, { type: ClassMarker.memberEntered, timestamp: timeStamp, value: { uid: user.uid } });
      const now = nowToTheSecond();
      await this.inLivingClass(roomnum, async (tx) => {
        const open = await tx.classMember.findFirst({ where: { roomnum, uin: user.uin, leftAt: null }, select: { id: true } });
        if (!open) await tx.classMember.create({ data: { roomnum, uin: user.uin, role: user.role, joinedAt: now } });
      });
      await this.deps.markers.settle(roomnum, change);
      await this.deps.presence.entered(roomnum, user.uin, course.hostUin === user.uin, now.getTime());
    });
  }

  async leave(user: SessionUser, course: Course): Promise<void> {
    const { roomnum } = course;
    if (course.state !== CourseState.living) throw Errors.memberNeedsLiving();
    const now = nowToTheSecond();
    await this.inLivingClass(roomnum, async (tx) => {
      const ever = await tx.classMember.findFirst({ where: { roomnum, uin: user.uin }, select: { id: true } });
      if (!ever) throw Errors.repeatExit();
      await tx.classMember.updateMany({ where: { roomnum, uin: user.uin, leftAt: null }, data: { leftAt: now, leaveReason: LeaveReason.left } });
    });
    await this.deps.presence.left(roomnum, user.uin);
  }

  /** Whether the user has ever been in the class (present or past). */
  async hasAttended(roomnum: number, uin: number): Promise<boolean> {
    return (await this.deps.db.classMember.findFirst({ where: { roomnum, uin }, select: { id: true } })) !== null;
  }

  /** Present members, ascending uin. */
  async list(course: Course, index: number, size: number): Promise<{ total: number; members: Array<{ uid: string; role: number }> }> {
    const { db, presence } = this.deps;
    const present = await presence.presentMembers(course.roomnum, course.hostUin, Date.now());
    const page = present.slice(index, index + size);
    const accounts = page.length === 0 ? [] : await db.account.findMany({ where: { uin: { in: page } }, select: { uin: true, uid: true, role: true } });
    const byUin = new Map(accounts.map((a) => [a.uin, a]));
    return {
      total: present.length,
      members: page.flatMap((uin) => {
        const account = byUin.get(uin);
        return account ? [{ uid: account.uid, role: account.role }] : [];
      }),
    };
  }

  /**
   * The heartbeat: Redis only (course facts come from memory after the first beat).
   * A member dropped for silence comes back, which reopens its stay (rare: SQL then).
   */
  async heartbeat(user: SessionUser, course: CourseFacts): Promise<void> {
    const now = Date.now();
    const outcome = await this.deps.presence.beat(course.roomnum, user.uin, course.hostUin === user.uin, now);
    if (outcome === "revived") await this.reopenStay(course.roomnum, user, nowToTheSecond());
  }

  private async reopenStay(roomnum: number, user: SessionUser, now: Date): Promise<void> {
    try {
      await this.inLivingClass(roomnum, async (tx) => {
        const open = await tx.classMember.findFirst({ where: { roomnum, uin: user.uin, leftAt: null }, select: { id: true } });
        if (!open) await tx.classMember.create({ data: { roomnum, uin: user.uin, role: user.role, joinedAt: now } });
      });
    } catch (error) {
      if (!(error instanceof AppError && error.code === ErrorCode.roomState)) throw error;
      // The class ended meanwhile: nobody is present in it any more.
      await this.deps.presence.left(roomnum, user.uin);
    }
  }

  /**
   * Runs `work` in a transaction that first locks the course row, provided the class is
   * living: membership changes are ordered against the class ending (no enter after end).
   */
  private async inLivingClass(roomnum: number, work: (tx: Tx) => Promise<void>): Promise<void> {
    await this.deps.db.$transaction(async (tx) => {
      const locked = await tx.course.updateMany({ where: { roomnum, state: CourseState.living }, data: { memberVersion: { increment: 1 } } });
      if (locked.count !== 1) throw Errors.memberNeedsLiving();
      await work(tx);
    });
  }

  /** The reaper drops a member silent since before `deadlineMs`; its stay closes as "timeout". */
  async dropSilent(roomnum: number, uin: number, deadlineMs: number): Promise<boolean> {
    if (!(await this.deps.schedule.dropIfSilent(roomnum, uin, deadlineMs))) return false;
    await this.deps.db.classMember.updateMany({ where: { roomnum, uin, leftAt: null }, data: { leftAt: nowToTheSecond(), leaveReason: LeaveReason.timeout } });
    return true;
  }
}
