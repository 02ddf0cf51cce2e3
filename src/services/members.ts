import type { SdkApp } from "../config";
import { AppError, ErrorCode, Errors } from "../errors";
import type { Db, Tx } from "../infra/db/prisma";
import { ClassMarker } from "../infra/tencent/im";
import type { CourseLock } from "./course-lock";
import type { Course, CourseFacts } from "./courses";
import type { ClassMarkers } from "./markers";
import { CourseState, LeaveReason, nowToTheSecond, RoomMode, type SessionUser, unixSeconds } from "./domain";
import type { WebhookOutbox } from "../webhooks/outbox";
import type { NewWebhookEvent } from "../webhooks/events";
import { type BeatOutcome, type LiveBeat, type PresenceRoom, presenceRoomOf, type PresenceService } from "./presence";
import type { ReaperSchedule } from "./reaper-schedule";

/**
 * Members entering and leaving a living class, the member list and the heartbeat.
 * PostgreSQL keeps one row per stay (never deleted); Redis says who is present now.
 */


export class MemberService {
  constructor(
    private readonly deps: {
      db: Db;
      markers: ClassMarkers;
      lock: CourseLock;
      presence: PresenceService;
      schedule: ReaperSchedule;
      outbox: WebhookOutbox;
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
      const now = await this.openStay(roomnum, user, user.role);
      await this.deps.markers.settle(roomnum, change);
      await this.deps.presence.entered(presenceRoomOf(course), user.uin, now.getTime());
    });
  }

  /** Opens the user's stay in a living class if none is open (the class's row lock orders it against the end); returns when. */
  async openStay(roomnum: number, user: Pick<SessionUser, "uin" | "uid" | "appid">, role: number): Promise<Date> {
    const now = nowToTheSecond();
    await this.inLivingClass(roomnum, async (tx) => {
      const open = await tx.classMember.findFirst({ where: { roomnum, uin: user.uin, leftAt: null }, select: { id: true } });
      if (open) return;
      await tx.classMember.create({ data: { roomnum, uin: user.uin, role, joinedAt: now } });
      await this.deps.outbox.record(tx, [{ type: "member.joined", appid: user.appid, roomnum, occurredAt: now, data: { roomnum, uid: user.uid, role, join_time: unixSeconds(now) } }]);
    });
    return now;
  }

  async leave(user: SessionUser, course: Course): Promise<void> {
    const { roomnum } = course;
    if (course.state !== CourseState.living) throw Errors.memberNeedsLiving();
    const now = nowToTheSecond();
    await this.inLivingClass(roomnum, async (tx) => {
      const ever = await tx.classMember.findFirst({ where: { roomnum, uin: user.uin }, select: { id: true } });
      if (!ever) throw Errors.repeatExit();
      const closed = await tx.classMember.updateMany({ where: { roomnum, uin: user.uin, leftAt: null }, data: { leftAt: now, leaveReason: LeaveReason.left } });
      if (closed.count > 0) await this.deps.outbox.record(tx, [memberLeft(user, roomnum, now, LeaveReason.left)]);
    });
    await this.deps.presence.left(roomnum, user.uin, RoomMode.class);
  }

  /** Whether the user has ever been in the class (present or past). */
  async hasAttended(roomnum: number, uin: number): Promise<boolean> {
    return (await this.deps.db.classMember.findFirst({ where: { roomnum, uin }, select: { id: true } })) !== null;
  }

  /** Present members, ascending uin. */
  async list(course: Course, index: number, size: number): Promise<{ total: number; members: Array<{ uid: string; role: number }> }> {
    const { db, presence } = this.deps;
    const present = await presence.presentMembers(presenceRoomOf(course), Date.now());
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
   * The heartbeat: Redis only (course facts come from memory after the first beat); a live
   * member's beat also says its role. A member dropped for silence comes back, which
   * reopens its stay (rare: SQL then).
   */
  heartbeat(user: SessionUser, course: CourseFacts, live?: LiveBeat): Promise<BeatOutcome> {
    const room = presenceRoomOf(course);
    // Not an async function: the hot path's beat waits on one promise, not on a frame around it.
    const beat = this.deps.presence.beat(room, user.uin, Date.now(), live);
    return beat.then((outcome) => (outcome === "revived" ? this.reopenStay(room, user, live?.role ?? user.role).then(() => outcome) : outcome));
  }

  private async reopenStay(room: PresenceRoom, user: SessionUser, role: number): Promise<void> {
    try {
      await this.openStay(room.roomnum, user, role);
    } catch (error) {
      if (!(error instanceof AppError && error.code === ErrorCode.roomState)) throw error;
      // The class ended meanwhile: nobody is present in it any more.
      await this.deps.presence.left(room.roomnum, user.uin, room.mode);
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
  async dropSilent(mode: RoomMode, roomnum: number, uin: number, deadlineMs: number): Promise<boolean> {
    if (!(await this.deps.schedule.dropIfSilent(mode, roomnum, uin, deadlineMs))) return false;
    const now = nowToTheSecond();
    await this.deps.outbox.withEvents(this.deps.db, roomnum, async (tx) => {
      const closed = await tx.classMember.updateMany({ where: { roomnum, uin, leftAt: null }, data: { leftAt: now, leaveReason: LeaveReason.timeout } });
      if (closed.count === 0 || !this.deps.outbox.listensToAny()) return { result: undefined, events: [] };
      const member = await tx.account.findUniqueOrThrow({ where: { uin }, select: { uid: true, appid: true } });
      return { result: undefined, events: [memberLeft(member, roomnum, now, LeaveReason.timeout)] };
    });
    return true;
  }
}

/** member.left of a stay closed by its member or by the reaper. */
function memberLeft(user: Pick<SessionUser, "uid" | "appid">, roomnum: number, at: Date, reason: "left" | "timeout"): NewWebhookEvent<"member.left"> {
  return { type: "member.left", appid: user.appid, roomnum, occurredAt: at, data: { roomnum, uid: user.uid, leave_time: unixSeconds(at), reason } };
}
