import type { Config, SdkApp } from "../config";
import { Errors } from "../errors";
import type { Db } from "../infra/db/prisma";
import type { Logger } from "../logger";
import type { Course } from "./courses";
import { CourseState, RoomMode } from "./domain";
import type { ClassLifecycle } from "./lifecycle";
import type { OperatorSession } from "./operators";
import { type PresenceService, presenceRoomOf } from "./presence";
import type { RelayService, RelayState } from "./relay";

/**
 * What the operator console shows and does, read from the same stores and changed through
 * the same services as the app protocols: the classes and rooms living now with who is in
 * them, one course's whole story, and an operator's end of a class.
 */

/** A class or live room living now, as "Live now" lists it. */
export interface LiveNowEntry {
  roomnum: number;
  mode: string;
  title: string;
  hostUid: string;
  startedAt: Date | null;
  present: number;
  /** The teacher's (host's) last beat, ms; undefined when Redis does not know it. */
  hostLastBeatMs: number | undefined;
  /** When the reaper would end it if the teacher stays silent, ms. */
  reaperEndsAtMs: number | undefined;
  relay: RelayState;
}

/** One stay of a member in a class: join, leave (none while present) and why. */
export interface StayView {
  uid: string;
  role: number;
  joinedAt: Date;
  leftAt: Date | null;
  leaveReason: string | null;
}

export interface CoursePage {
  course: Course & { hostUid: string };
  stays: StayView[];
  /** Present now (uids), from presence. */
  present: string[];
  relay: RelayState;
  hostLastBeatMs: number | undefined;
}

/** Classes "Live now" shows at most (newest first): a console page, not an export. */
const LIVE_NOW_LIMIT = 1000;

export class ConsoleService {
  constructor(
    private readonly deps: { config: Config; db: Db; log: Logger; presence: PresenceService; relay: RelayService; lifecycle: ClassLifecycle },
  ) {}

  /** Every living class and live room of the app, newest first, with who is in it now. */
  async liveNow(app: SdkApp, nowMs = Date.now()): Promise<LiveNowEntry[]> {
    const { db, presence, relay, config } = this.deps;
    const courses = await db.course.findMany({
      where: { appid: app.sdkAppId, state: CourseState.living },
      orderBy: [{ startedAt: "desc" }, { roomnum: "desc" }],
      take: LIVE_NOW_LIMIT,
      include: { host: { select: { uid: true } } },
    });
    const roomnums = courses.map((c) => c.roomnum);
    const [present, relays, lastBeats] = await Promise.all([
      presence.countPresent(courses.map(presenceRoomOf), nowMs),
      relay.stateOf(roomnums),
      Promise.all(courses.map((c) => presence.teacherLastBeat(c.roomnum))),
    ]);
    return courses.map((course, i) => {
      const hostLastBeatMs = lastBeats[i];
      const timeoutMs = config.roomTimeouts[course.mode as RoomMode].hostS * 1000;
      return {
        roomnum: course.roomnum,
        mode: course.mode,
        title: course.title,
        hostUid: course.host.uid,
        startedAt: course.startedAt,
        present: present.get(course.roomnum) ?? 0,
        hostLastBeatMs,
        reaperEndsAtMs: hostLastBeatMs === undefined ? undefined : hostLastBeatMs + timeoutMs,
        relay: relays.get(course.roomnum) ?? { recording: false, liveUrls: [] },
      };
    });
  }

  /** One course of the app: its row, every stay, who is present now, its relay. */
  async coursePage(app: SdkApp, roomnum: number, nowMs = Date.now()): Promise<CoursePage> {
    const { db, presence, relay } = this.deps;
    const course = await db.course.findFirst({ where: { roomnum, appid: app.sdkAppId }, include: { host: { select: { uid: true } } } });
    if (!course) throw Errors.roomNotExist();
    const { host, ...row } = course;
    const [stays, presentUins, relayState, hostLastBeatMs] = await Promise.all([
      db.classMember.findMany({ where: { roomnum }, orderBy: [{ joinedAt: "asc" }, { id: "asc" }], include: { account: { select: { uid: true } } } }),
      course.state === CourseState.living ? presence.presentMembers(presenceRoomOf(course), nowMs) : Promise.resolve([]),
      relay.stateOfOne(roomnum),
      course.state === CourseState.living ? presence.teacherLastBeat(roomnum) : Promise.resolve(undefined),
    ]);
    const uidOf = new Map(stays.map((s) => [s.uin, s.account.uid]));
    return {
      course: { ...row, hostUid: host.uid },
      stays: stays.map((s) => ({ uid: s.account.uid, role: s.role, joinedAt: s.joinedAt, leftAt: s.leftAt, leaveReason: s.leaveReason })),
      present: presentUins.map((uin) => uidOf.get(uin) ?? String(uin)),
      relay: relayState,
      hostLastBeatMs,
    };
  }

  /** An operator ends a living class, as its teacher's exitroom would (reason "operator"). */
  async endClass(app: SdkApp, roomnum: number, operator: OperatorSession): Promise<void> {
    const course = await this.deps.db.course.findFirst({ where: { roomnum, appid: app.sdkAppId, mode: RoomMode.class } });
    if (!course) throw Errors.roomNotExist();
    await this.deps.lifecycle.endByOperator(app, course);
    this.deps.log.info({ operator: operator.uid, appid: app.sdkAppId, roomnum }, "class ended by an operator");
  }
}
