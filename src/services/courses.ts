import type { SdkApp } from "../config";
import { Errors } from "../errors";
import type { Course } from "../generated/prisma/client";
import type { Db } from "../infra/db/prisma";
import { nowToTheSecond, RoomMode, type SessionUser, uidKeyOf, unixSeconds } from "./domain";
import { presenceRoomOf, type PresenceService } from "./presence";
import type { RecordingService, VideoView } from "./recordings";
import type { RelayService, RelayState } from "./relay";
import { countedPage } from "./paging";
import type { WebhookOutbox } from "../webhooks/outbox";

/** Courses: creation, lookups and the course list. State changes live in ClassLifecycle. */

export type { Course };

/** What never changes about a course: the heartbeat reads it from memory. */
export interface CourseFacts {
  roomnum: number;
  appid: number;
  hostUin: number;
  /** "class" or "live". */
  mode: string;
}

export interface CourseListFilter {
  index: number;
  size: number;
  roomnum?: number;
  fromTime?: number;
  toTime?: number;
  hostUid?: string;
  state?: number;
  /** Any of these states (the console's replays: ended or replayable). */
  states?: readonly number[];
}

export type ListedCourse = Course & { hostUid: string; memsize: number; videos: VideoView[]; relay: RelayState };

/** Courses whose facts are kept in memory at most (far more than are ever live at once; the oldest goes first). */
const FACTS_CACHE_LIMIT = 100000;
/** An unknown room number is remembered this long (a heartbeat flood costs no SQL). */
const MISSING_TTL_MS = 5000;

export class CourseService {
  private readonly facts = new Map<number, CourseFacts>();
  private readonly missing = new Map<number, number>();

  constructor(private readonly deps: { db: Db; presence: PresenceService; recordings: RecordingService; relay: RelayService; outbox: WebhookOutbox }) {}

  async create(app: SdkApp, user: SessionUser, input: { title: string; cover?: string }): Promise<{ roomnum: number; groupid: string }> {
    const now = nowToTheSecond();
    const course = await this.deps.outbox.withEvents(this.deps.db, undefined, async (tx) => {
      const created = await tx.course.create({ data: { appid: app.sdkAppId, hostUin: user.uin, title: input.title, cover: input.cover ?? "", createdAt: now, effectiveAt: now } });
      const data = { roomnum: created.roomnum, mode: "class" as const, title: created.title, host_uid: user.uid, create_time: unixSeconds(now) };
      return { result: created, events: [{ type: "course.created" as const, appid: app.sdkAppId, roomnum: created.roomnum, occurredAt: now, data }] };
    });
    this.missing.delete(course.roomnum);
    return { roomnum: course.roomnum, groupid: String(course.roomnum) };
  }

  /** A course of this app and kind (a classroom course unless said), or 10100. */
  async get(app: SdkApp, roomnum: number, mode: RoomMode = RoomMode.class): Promise<Course> {
    const course = await this.deps.db.course.findUnique({ where: { roomnum } });
    if (!course || course.appid !== app.sdkAppId || course.mode !== mode) throw Errors.roomNotExist();
    return course;
  }

  /** Immutable facts of a course of this app and kind, from memory after the first look (10100 if none). */
  factsOf(app: SdkApp, roomnum: number, mode: RoomMode = RoomMode.class): CourseFacts | Promise<CourseFacts> {
    const facts = this.facts.get(roomnum);
    // Known facts are answered at once, without a promise (the heartbeat's path).
    return facts ? factsFor(facts, app, mode) : this.loadFacts(roomnum).then((loaded) => factsFor(loaded, app, mode));
  }

  private async loadFacts(roomnum: number): Promise<CourseFacts> {
    const missingUntil = this.missing.get(roomnum);
    if (missingUntil !== undefined && missingUntil > Date.now()) throw Errors.roomNotExist();
    const course = roomnum > 0 ? await this.deps.db.course.findUnique({ where: { roomnum }, select: { roomnum: true, appid: true, hostUin: true, mode: true } }) : null;
    if (!course) {
      if (this.missing.size >= FACTS_CACHE_LIMIT) this.missing.clear();
      this.missing.set(roomnum, Date.now() + MISSING_TTL_MS);
      throw Errors.roomNotExist();
    }
    if (this.facts.size >= FACTS_CACHE_LIMIT) this.facts.delete(this.facts.keys().next().value!);
    this.facts.set(roomnum, course);
    return course;
  }

  /** One course as the list shows it (teacher's id, present members). */
  async describe(course: Course): Promise<ListedCourse> {
    const [host, extras] = await Promise.all([
      this.deps.db.account.findUniqueOrThrow({ where: { uin: course.hostUin }, select: { uid: true } }),
      this.extrasOf([course]),
    ]);
    return { ...course, hostUid: host.uid, ...extras(course.roomnum) };
  }

  /** The course list: newest effective time (start, else creation) first, ties by room number. */
  async list(app: SdkApp, filter: CourseListFilter): Promise<{ total: number; rooms: ListedCourse[] }> {
    const { db } = this.deps;
    let hostUin: number | undefined;
    if (filter.hostUid) {
      // findFirst: never batched with other requests' lookups (see AccountService.accountOf).
      const host = await db.account.findFirst({ where: { appid: app.sdkAppId, uidKey: uidKeyOf(filter.hostUid) } });
      if (!host || host.uid !== filter.hostUid) throw Errors.hostUidNotExist();
      hostUin = host.uin;
    }
    // Whole seconds, as apps see the times: after from_time's second, up to the end of to_time's.
    const effectiveAt = {
      ...(filter.fromTime ? { gte: new Date((filter.fromTime + 1) * 1000) } : {}),
      ...(filter.toTime ? { lt: new Date((filter.toTime + 1) * 1000) } : {}),
    };
    const where = {
      appid: app.sdkAppId,
      mode: RoomMode.class,
      ...(filter.state !== undefined ? { state: filter.state } : filter.states ? { state: { in: [...filter.states] } } : {}),
      ...(hostUin !== undefined ? { hostUin } : {}),
      ...(filter.roomnum ? { roomnum: filter.roomnum } : {}),
      ...(filter.fromTime || filter.toTime ? { effectiveAt } : {}),
    };
    const [total, courses] = await countedPage(
      db.course.count({ where }),
      filter.size,
      () =>
        db.course.findMany({
          where,
          orderBy: [{ effectiveAt: "desc" }, { roomnum: "asc" }],
          skip: filter.index,
          take: filter.size,
          include: { host: { select: { uid: true } } },
        }),
    );
    const extras = await this.extrasOf(courses);
    return { total, rooms: courses.map(({ host, ...course }) => ({ ...course, hostUid: host.uid, ...extras(course.roomnum) })) };
  }

  /** What lists show beside the rows: who is present, the videos, the relay (one query each for the page). */
  private async extrasOf(courses: ReadonlyArray<{ roomnum: number; hostUin: number; mode: string }>) {
    const roomnums = courses.map((c) => c.roomnum);
    const [memsizes, videos, relay] = await Promise.all([
      this.deps.presence.countPresent(courses.map(presenceRoomOf), Date.now()),
      this.deps.recordings.videosOf(roomnums),
      this.deps.relay.stateOf(roomnums),
    ]);
    return (roomnum: number) => ({
      memsize: memsizes.get(roomnum) ?? 0,
      videos: videos.get(roomnum) ?? [],
      relay: relay.get(roomnum) ?? { liveUrls: [], recording: false },
    });
  }
}

/** The facts, if the course is the app's and of the kind asked for (else, as for any room not there, 10100). */
function factsFor(facts: CourseFacts, app: SdkApp, mode: RoomMode): CourseFacts {
  if (facts.appid !== app.sdkAppId || facts.mode !== mode) throw Errors.roomNotExist();
  return facts;
}
