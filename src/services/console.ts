import type { Config, SdkApp } from "../config";
import { Errors } from "../errors";
import type { Db } from "../infra/db/prisma";
import type { Logger } from "../logger";
import type { Course } from "./courses";
import { CourseState, INT32_MAX, RoomMode } from "./domain";
import { type Attendance, attendanceOf, presenceOf } from "./attendance";
import type { ImClient } from "../infra/tencent/im";
import type { RedisClient } from "../infra/redis/client";
import type { MetricCounts, Metrics } from "../metrics/metrics";
import type { ClassLifecycle } from "./lifecycle";
import type { OperatorSession } from "./operators";
import { type PresenceService, presenceRoomOf } from "./presence";
import type { RecordingService, VideoView } from "./recordings";
import type { RelayService, RelayState } from "./relay";
import type { ReplayIndexService } from "./replay-index";

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

/** One moment of a course's story, oldest first. */
export interface TimelineEvent {
  at: Date;
  event: "created" | "started" | "ended" | "recording" | "replay_index_asked" | "replay_index_built" | "replay_index_failed";
  detail: string;
}

export interface CoursePage {
  course: Course & { hostUid: string };
  stays: StayView[];
  /** Present now (uids), from presence. */
  present: string[];
  relay: RelayState;
  hostLastBeatMs: number | undefined;
  videos: VideoView[];
  bindings: Array<{ type: number; fileName: string; url: string; boundAt: Date }>;
  timeline: TimelineEvent[];
}

/** One course a member attended. */
export interface CourseAttended {
  roomnum: number;
  title: string;
  minutes: number;
  firstJoin: Date;
  lastLeave: Date | null;
}

/** One line of a class's chat, as IM keeps it: a text, a class marker (custom element), or another element's type. */
export interface ChatLine {
  seq: number;
  from: string;
  at: Date;
  kind: "text" | "custom" | "other";
  text: string;
}

/** A dependency as a round trip found it. */
export interface DependencyHealth {
  ok: boolean;
  ms: number;
  error: string;
}

/** Chat lines a replay view shows at most (the newest of the class's range). */
const CHAT_LIMIT = 1000;

/** Classes "Live now" shows at most (newest first): a console page, not an export. */
const LIVE_NOW_LIMIT = 1000;

export class ConsoleService {
  constructor(
    private readonly deps: {
      config: Config;
      db: Db;
      log: Logger;
      presence: PresenceService;
      relay: RelayService;
      lifecycle: ClassLifecycle;
      recordings: RecordingService;
      replayIndex: ReplayIndexService;
      im: ImClient;
      redis: RedisClient;
      metrics: Metrics;
    },
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
    const [stays, presentUins, relayState, hostLastBeatMs, videos, bindings] = await Promise.all([
      db.classMember.findMany({ where: { roomnum }, orderBy: [{ joinedAt: "asc" }, { id: "asc" }], include: { account: { select: { uid: true } } } }),
      course.state === CourseState.living ? presence.presentMembers(presenceRoomOf(course), nowMs) : Promise.resolve([]),
      relay.stateOfOne(roomnum),
      course.state === CourseState.living ? presence.teacherLastBeat(roomnum) : Promise.resolve(undefined),
      this.deps.recordings.videosOf([roomnum]).then((byRoom) => byRoom.get(roomnum) ?? []),
      db.binding.findMany({ where: { roomnum }, orderBy: { id: "asc" }, select: { type: true, fileName: true, url: true, boundAt: true } }),
    ]);
    const uidOf = new Map(stays.map((s) => [s.uin, s.account.uid]));
    return {
      course: { ...row, hostUid: host.uid },
      stays: stays.map((s) => ({ uid: s.account.uid, role: s.role, joinedAt: s.joinedAt, leftAt: s.leftAt, leaveReason: s.leaveReason })),
      present: presentUins.map((uin) => uidOf.get(uin) ?? String(uin)),
      relay: relayState,
      hostLastBeatMs,
      videos,
      bindings,
      timeline: timelineOf(row, videos),
    };
  }

  /** An operator asks for the replay index again (as the owner's makereplayidx: once due, or after a failure). */
  async askReplayIndex(app: SdkApp, roomnum: number, operator: OperatorSession): Promise<void> {
    const course = await this.courseOf(app, roomnum);
    await this.deps.replayIndex.makeNow(course);
    this.deps.log.info({ operator: operator.uid, appid: app.sdkAppId, roomnum }, "replay index asked by an operator");
  }

  /** An operator stops a class's server-side recording or relay push (the teacher's stream). */
  async stopRelay(app: SdkApp, roomnum: number, what: "recording" | "push", operator: OperatorSession): Promise<void> {
    const course = await this.courseOf(app, roomnum);
    if (what === "recording") await this.deps.relay.stopRecording(app, course, 0);
    else await this.deps.relay.stopPush(app, course, 0);
    this.deps.log.info({ operator: operator.uid, appid: app.sdkAppId, roomnum, what }, "relay stopped by an operator");
  }

  /** Each member's attendance of a class of the app, in order of first join. */
  async attendance(app: SdkApp, roomnum: number, nowMs = Date.now()): Promise<Attendance[]> {
    const course = await this.courseOf(app, roomnum);
    const stays = await this.deps.db.classMember.findMany({ where: { roomnum }, orderBy: [{ joinedAt: "asc" }, { id: "asc" }], include: { account: { select: { uid: true } } } });
    return attendanceOf(
      stays.map((s) => ({ ...s, uid: s.account.uid })),
      course.endedAt?.getTime() ?? nowMs,
    );
  }

  /** The classes of the app a member (by exact id) attended, newest first. */
  async attendedBy(app: SdkApp, uid: string, nowMs = Date.now()): Promise<CourseAttended[]> {
    const account = await this.deps.db.account.findFirst({ where: { appid: app.sdkAppId, uid } });
    if (!account) throw Errors.userNotExist();
    const stays = await this.deps.db.classMember.findMany({
      where: { uin: account.uin, course: { mode: RoomMode.class } },
      orderBy: [{ joinedAt: "asc" }, { id: "asc" }],
      include: { course: { select: { title: true, endedAt: true } } },
    });
    const byCourse = new Map<number, typeof stays>();
    for (const stay of stays) byCourse.set(stay.roomnum, [...(byCourse.get(stay.roomnum) ?? []), stay]);
    const attended = [...byCourse].map(([roomnum, own]) => ({ roomnum, title: own[0]!.course.title, ...presenceOf(own, own[0]!.course.endedAt?.getTime() ?? nowMs) }));
    return attended.sort((a, b) => b.firstJoin.getTime() - a.firstJoin.getTime());
  }

  /** A class's chat: the IM group's messages of its sequence range (to the latest while it is living), oldest first. */
  async chat(app: SdkApp, roomnum: number): Promise<ChatLine[]> {
    const course = await this.courseOf(app, roomnum);
    if (course.startImSeq === 0) return [];
    const toSeq = course.endImSeq > 0 ? course.endImSeq : INT32_MAX;
    const messages = await this.deps.im.groupHistory(app, String(roomnum), course.startImSeq, toSeq, CHAT_LIMIT);
    return messages.map((m) => ({ seq: m.msgSeq, from: m.fromAccount, at: new Date(m.msgTime * 1000), ...lineOf(m.msgBody[0]) }));
  }

  /** PostgreSQL and Redis as this instance reaches them now (a round trip each, with its time), and this instance's counts. */
  async health(): Promise<{ postgres: DependencyHealth; redis: DependencyHealth; counts: MetricCounts }> {
    const timed = async (check: () => Promise<unknown>): Promise<DependencyHealth> => {
      const started = process.hrtime.bigint();
      try {
        await check();
        return { ok: true, ms: Number(process.hrtime.bigint() - started) / 1e6, error: "" };
      } catch (error) {
        return { ok: false, ms: Number(process.hrtime.bigint() - started) / 1e6, error: error instanceof Error ? error.message : String(error) };
      }
    };
    const [postgres, redis, counts] = await Promise.all([timed(() => this.deps.db.$queryRawUnsafe("SELECT 1")), timed(() => this.deps.redis.ping()), this.deps.metrics.counts()]);
    return { postgres, redis, counts };
  }

  private async courseOf(app: SdkApp, roomnum: number): Promise<Course> {
    const course = await this.deps.db.course.findFirst({ where: { roomnum, appid: app.sdkAppId, mode: RoomMode.class } });
    if (!course) throw Errors.roomNotExist();
    return course;
  }

  /** An operator ends a living class, as its teacher's exitroom would (reason "operator"). */
  async endClass(app: SdkApp, roomnum: number, operator: OperatorSession): Promise<void> {
    const course = await this.courseOf(app, roomnum);
    await this.deps.lifecycle.endByOperator(app, course);
    this.deps.log.info({ operator: operator.uid, appid: app.sdkAppId, roomnum }, "class ended by an operator");
  }
}

/** A course's story from its row and its videos, oldest first. */
function timelineOf(course: Course, videos: readonly VideoView[]): TimelineEvent[] {
  const events: TimelineEvent[] = [{ at: course.createdAt, event: "created", detail: course.title }];
  if (course.startedAt) events.push({ at: course.startedAt, event: "started", detail: `IM sequence ${course.startImSeq}` });
  if (course.endedAt) events.push({ at: course.endedAt, event: "ended", detail: `${course.endReason ?? ""}, IM sequence ${course.endImSeq}` });
  for (const video of videos) events.push({ at: video.endAt, event: "recording", detail: `${video.fileId} by ${video.uid}, ${video.duration} s` });
  if (course.replayIndexTriggeredAt) {
    events.push({ at: course.replayIndexTriggeredAt, event: "replay_index_asked", detail: `attempt ${course.replayIndexAttempts}, result ${course.replayIndexTriggerResult}` });
  }
  if (course.replayIndexCreatedAt) {
    const built = course.replayIndexStatus === "built";
    events.push({ at: course.replayIndexCreatedAt, event: built ? "replay_index_built" : "replay_index_failed", detail: built ? course.replayIndexUrl : course.replayIndexError });
  } else if (course.replayIndexStatus === "failed") {
    events.push({ at: course.replayIndexTriggeredAt ?? course.endedAt ?? course.createdAt, event: "replay_index_failed", detail: course.replayIndexError });
  }
  return events.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** What a chat line shows of a message's first element. */
function lineOf(element: { MsgType: string; MsgContent: Record<string, unknown> } | undefined): Pick<ChatLine, "kind" | "text"> {
  const textOf = (value: unknown) => (typeof value === "string" ? value : "");
  if (element?.MsgType === "TIMTextElem") return { kind: "text", text: textOf(element.MsgContent.Text) };
  if (element?.MsgType === "TIMCustomElem") return { kind: "custom", text: textOf(element.MsgContent.Data) };
  return { kind: "other", text: element?.MsgType ?? "" };
}
