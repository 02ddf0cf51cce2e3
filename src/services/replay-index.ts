import { createHmac, timingSafeEqual } from "node:crypto";
import type { Config, SdkApp } from "../config";
import { Errors } from "../errors";
import type { Db, Tx } from "../infra/db/prisma";
import { type BuiltReplayIndex, type ReplayIndexClient, ReplayIndexError, type ReplayIndexRequest } from "../infra/tencent/replay-index";
import type { Logger } from "../logger";
import type { Course } from "./courses";
import { CourseState, INT32_MAX, nowToTheSecond, ReplayIndexStatus, unixSeconds } from "./domain";
import type { RecordingService, VideoView } from "./recordings";
import type { WebhookOutbox } from "../webhooks/outbox";
import type { NewWebhookEvent } from "../webhooks/events";

/**
 * A class's replay index: what a replay player pulls to play the videos and replay the chat
 * beside them. Once a class has ended and REPLAY_INDEX_DELAY_S has passed (recordings arrive
 * meanwhile), the scheduler claims it (a conditional write: exactly one instance gets each
 * attempt) and asks the index service configured (REPLAY_INDEX_URL), or builds the index
 * itself (a manifest served by this server) when none is. An answer carrying the index, or
 * the service's callback, makes the class replayable (state 3); a failure is recorded and
 * retried with backoff until REPLAY_INDEX_ATTEMPTS have failed; a request whose callback
 * never comes is asked again after REPLAY_INDEX_CALLBACK_TIMEOUT_S. The owning teacher may
 * ask at once (makereplayidx) once it is due, or after a failure.
 */

/** Most attendees sent to the index service (the original's cap). */
const MAX_USER_LIST = 500;
/** The longest wait between two attempts, however many have failed. */
const MAX_BACKOFF_S = 86400;
/** Courses the scheduler claims per run. */
const CLAIM_BATCH = 20;

/** Builds the URL of a class's built-in index (the REST route that serves it), given its link signature. */
export type BuiltInIndexUrl = (roomnum: number, sig: string) => string;

/** The index service's callback, validated. */
export interface IndexFileCallback {
  roomnum: number;
  errorCode: number;
  errorInfo: string;
  /** When errorCode is 0. */
  built: BuiltReplayIndex | undefined;
}

/** How one attempt went. */
export type AttemptOutcome =
  | { kind: "built"; url: string }
  | { kind: "requested" }
  | { kind: "failed"; result: number; code: number; info: string; willRetry: boolean };

/** What the built-in index holds (its presenter gives it its shape). */
export interface ReplayManifest {
  course: Course & { hostUid: string };
  videos: VideoView[];
  stays: Array<{ uid: string; role: number; joinedAt: Date; leftAt: Date | null; leaveReason: string | null }>;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** When the owner may ask for an ended class's index now: it is due, or an attempt failed (none in flight). */
export function replayIndexAskable(course: ObservedCourse, nowMs = Date.now()): boolean {
  const due = course.replayIndexDueAt !== null && course.replayIndexDueAt.getTime() <= nowMs;
  const afterFailure = course.replayIndexStatus === ReplayIndexStatus.failed || (course.replayIndexStatus === ReplayIndexStatus.waiting && course.replayIndexAttempts > 0);
  return due || afterFailure;
}

type ObservedCourse = Pick<Course, "roomnum" | "replayIndexStatus" | "replayIndexDueAt" | "replayIndexAttempts">;
const OBSERVED_FIELDS = { roomnum: true, replayIndexStatus: true, replayIndexDueAt: true, replayIndexAttempts: true } as const;

type ClaimedCourse = Pick<Course, "roomnum" | "appid" | "startImSeq" | "endImSeq" | "lastRecImSeq" | "replayIndexAttempts">;

const CLAIMED_FIELDS = { roomnum: true, appid: true, startImSeq: true, endImSeq: true, lastRecImSeq: true, replayIndexAttempts: true } as const;

export class ReplayIndexService {
  constructor(
    private readonly deps: {
      config: Config;
      db: Db;
      replayIndex: ReplayIndexClient;
      recordings: RecordingService;
      log: Logger;
      builtInIndexUrl: BuiltInIndexUrl;
      outbox: WebhookOutbox;
    },
  ) {}

  /** The scheduler's run: every due class this instance claims gets one attempt. */
  async runDue(nowMs = Date.now()): Promise<AttemptOutcome[]> {
    const { db } = this.deps;
    const due = await db.course.findMany({
      where: { state: CourseState.ended, replayIndexDueAt: { lte: new Date(nowMs) } },
      orderBy: { replayIndexDueAt: "asc" },
      take: CLAIM_BATCH,
      select: OBSERVED_FIELDS,
    });
    const outcomes: AttemptOutcome[] = [];
    for (const observed of due) {
      const claimed = await this.claim(observed);
      if (claimed) outcomes.push(await this.attempt(claimed));
    }
    return outcomes;
  }

  /** makereplayidx: the owner asks now, once it is due or after a failure (not while an attempt is in flight). */
  async makeNow(course: Course): Promise<void> {
    if (course.state !== CourseState.ended) throw Errors.replayIndexNeedsEnded();
    const claimed = replayIndexAskable(course) ? await this.claim(course) : undefined;
    if (!claimed) throw Errors.replayIndexWindow();
    const outcome = await this.attempt(claimed);
    if (outcome.kind === "failed") throw Errors.replayIndexRequestFailed(outcome.result, outcome.code, outcome.info);
  }

  /** The index service's callback: the index is built (state 3), or its failure is recorded and retried. */
  async indexFileBuilt(callback: IndexFileCallback): Promise<void> {
    const { db, log } = this.deps;
    const course = await this.courseNumbered(callback.roomnum);
    if (!course) throw Errors.roomNotExist();
    if (course.state !== CourseState.ended && course.state !== CourseState.replayable) throw Errors.courseStateForIndex();
    if (callback.errorCode === 0 && callback.built) {
      await this.built(course.roomnum, callback.built.fileUrl);
      return;
    }
    log.warn({ roomnum: course.roomnum, errorCode: callback.errorCode, errorInfo: callback.errorInfo }, "the replay index service could not build the index");
    // A late failure never undoes a built index; one for the request in flight is retried.
    if (course.state !== CourseState.ended) return;
    await db.course.updateMany({
      where: { roomnum: course.roomnum, state: CourseState.ended },
      data: { replayIndexCreatedAt: nowToTheSecond(), replayIndexCreatedResult: callback.errorCode },
    });
    if (course.replayIndexStatus === ReplayIndexStatus.requested) {
      await this.failed(course, { result: 0, code: callback.errorCode, info: callback.errorInfo });
    }
  }

  /** The built-in index of an ended class: its IM range, its videos with their timing, and who attended when. */
  async manifestOf(course: Course): Promise<ReplayManifest> {
    if (course.state !== CourseState.ended && course.state !== CourseState.replayable) throw Errors.replayIndexNotReady();
    const { db, recordings } = this.deps;
    const [host, videos, stays] = await Promise.all([
      db.account.findUniqueOrThrow({ where: { uin: course.hostUin }, select: { uid: true } }),
      recordings.videosOf([course.roomnum]),
      db.classMember.findMany({ where: { roomnum: course.roomnum }, orderBy: [{ joinedAt: "asc" }, { id: "asc" }], include: { account: { select: { uid: true } } } }),
    ]);
    return {
      course: { ...course, hostUid: host.uid },
      videos: videos.get(course.roomnum) ?? [],
      stays: stays.map((stay) => ({ uid: stay.account.uid, role: stay.role, joinedAt: stay.joinedAt, leftAt: stay.leftAt, leaveReason: stay.leaveReason })),
    };
  }

  /** The class a built-in index link names, if its signature is right (else 10101). */
  async courseOfLink(roomnum: number | undefined, sig: unknown): Promise<Course> {
    const course = roomnum === undefined ? null : await this.courseNumbered(roomnum);
    const app = course ? this.deps.config.sdkApps.get(course.appid) : undefined;
    if (!course || !app) throw Errors.roomNotExist();
    if (typeof sig !== "string" || !sameText(sig, this.linkSignature(app, course.roomnum))) throw Errors.replayIndexLinkInvalid();
    return course;
  }

  /** The course of a room number a caller gave (none beyond the ids that exist). */
  private courseNumbered(roomnum: number): Promise<Course | null> {
    return roomnum <= 0 || roomnum > INT32_MAX ? Promise.resolve(null) : this.deps.db.course.findUnique({ where: { roomnum } });
  }

  /** The signature of a class's built-in index link: who holds the URL may read the index (as a CDN's signed URL). */
  linkSignature(app: SdkApp, roomnum: number): string {
    return createHmac("sha256", app.secretKey).update(`replay-index:${roomnum}`).digest("base64url").slice(0, 22);
  }

  /**
   * Claims an attempt at the class as it was `observed`: only if its replay index has not
   * moved meanwhile (another instance, the owner, a callback), so each attempt is made once.
   * The attempt is then in flight, its callback due by the deadline.
   */
  private async claim(observed: ObservedCourse): Promise<ClaimedCourse | undefined> {
    const { db, config } = this.deps;
    const now = nowToTheSecond();
    const [claimed] = await db.course.updateManyAndReturn({
      where: {
        roomnum: observed.roomnum,
        state: CourseState.ended,
        replayIndexStatus: observed.replayIndexStatus,
        replayIndexDueAt: observed.replayIndexDueAt,
        replayIndexAttempts: observed.replayIndexAttempts,
      },
      data: {
        replayIndexStatus: ReplayIndexStatus.requested,
        replayIndexDueAt: new Date(now.getTime() + config.replayIndex.callbackTimeoutS * 1000),
        replayIndexAttempts: { increment: 1 },
        replayIndexTriggeredAt: now,
      },
      select: CLAIMED_FIELDS,
    });
    return claimed;
  }

  /** One attempt at a claimed class's index: the service's answer, or the built-in index. */
  private async attempt(course: ClaimedCourse): Promise<AttemptOutcome> {
    const { config, replayIndex, log } = this.deps;
    const app = config.sdkApps.get(course.appid);
    if (!app) return this.failed(course, { result: -1, code: 0, info: `app ${course.appid} is not configured` });
    if (config.replayIndex.serviceUrl === undefined) {
      const url = this.deps.builtInIndexUrl(course.roomnum, this.linkSignature(app, course.roomnum));
      await this.built(course.roomnum, url);
      return { kind: "built", url };
    }
    try {
      const built = await replayIndex.create(app, await this.requestOf(course));
      await this.deps.db.course.updateMany({ where: { roomnum: course.roomnum }, data: { replayIndexTriggerResult: 0, replayIndexError: "" } });
      if (!built) return { kind: "requested" };
      await this.built(course.roomnum, built.fileUrl);
      return { kind: "built", url: built.fileUrl };
    } catch (error) {
      if (!(error instanceof ReplayIndexError)) throw error;
      log.warn({ roomnum: course.roomnum, result: error.result, code: error.code, info: error.info }, "replay index request failed");
      return this.failed(course, error);
    }
  }

  /** What the index service is asked: the class's IM range and everyone who attended (teachers first). */
  private async requestOf(course: ClaimedCourse): Promise<ReplayIndexRequest> {
    const stays = await this.deps.db.classMember.findMany({
      where: { roomnum: course.roomnum },
      orderBy: [{ role: "desc" }, { joinedAt: "asc" }, { id: "asc" }],
      select: { account: { select: { uid: true } } },
    });
    const uids = [...new Set(stays.map((stay) => stay.account.uid))].slice(0, MAX_USER_LIST);
    return {
      GroupId: String(course.roomnum),
      MsgSeqStart: course.startImSeq,
      MsgSeqEnd: course.endImSeq,
      MaxMsgSeqVideoEnd: course.lastRecImSeq,
      UserList: uids.map((uid) => ({ Account: uid })),
    };
  }

  /** The index exists: the class is replayable with it (a repeated callback overwrites). */
  private async built(roomnum: number, url: string): Promise<void> {
    const now = nowToTheSecond();
    const { db, outbox } = this.deps;
    await outbox.withEvents(db, roomnum, async (tx) => {
      const before = await tx.course.findUnique({ where: { roomnum }, select: { replayIndexStatus: true } });
      const { count } = await tx.course.updateMany({
        where: { roomnum, state: { in: [CourseState.ended, CourseState.replayable] } },
        data: {
          state: CourseState.replayable,
          replayIndexStatus: ReplayIndexStatus.built,
          replayIndexUrl: url,
          replayIndexCreatedAt: now,
          replayIndexCreatedResult: 0,
          replayIndexDueAt: null,
          replayIndexError: "",
        },
      });
      // A repeated callback overwrites the URL; the class became replayable once.
      const first = count === 1 && before?.replayIndexStatus !== ReplayIndexStatus.built && outbox.listensToAny();
      return { result: undefined, events: first ? [await this.replayReady(tx, roomnum, url, now)] : [] };
    });
    this.deps.log.info({ roomnum, url }, "replay index built: the class is replayable");
  }

  /** replay.ready of a class just made replayable: its index, IM range and videos. */
  private async replayReady(tx: Tx | Db, roomnum: number, url: string, at: Date): Promise<NewWebhookEvent<"replay.ready">> {
    const course = await tx.course.findUniqueOrThrow({ where: { roomnum }, select: { appid: true, title: true, startImSeq: true, endImSeq: true } });
    const videos = (await this.deps.recordings.videosOf([roomnum])).get(roomnum) ?? [];
    const data = {
      roomnum,
      title: course.title,
      index_url: url,
      begin_imseq: course.startImSeq,
      end_imseq: course.endImSeq,
      videos: videos.map((v) => ({ file_id: v.fileId, video_url: v.videoUrl, uid: v.uid, start_time: unixSeconds(v.startAt), end_time: unixSeconds(v.endAt), duration: v.duration, file_size: v.fileSize })),
    };
    return { type: "replay.ready", appid: course.appid, roomnum, occurredAt: at, data };
  }

  /** An attempt failed: tried again after a backoff (doubling), or given up after the last attempt. */
  private async failed(course: Pick<Course, "roomnum" | "replayIndexAttempts">, failure: { result: number; code: number; info: string }): Promise<AttemptOutcome> {
    const { config, db } = this.deps;
    const willRetry = course.replayIndexAttempts < config.replayIndex.attempts;
    const backoffS = Math.min(config.replayIndex.backoffS * 2 ** Math.max(course.replayIndexAttempts - 1, 0), MAX_BACKOFF_S);
    const error = `[${failure.code}] ${failure.info}`.slice(0, 512);
    await this.deps.outbox.withEvents(db, course.roomnum, async (tx) => {
      const { count } = await tx.course.updateMany({
        where: { roomnum: course.roomnum, state: CourseState.ended, replayIndexStatus: ReplayIndexStatus.requested },
        data: {
          replayIndexStatus: willRetry ? ReplayIndexStatus.waiting : ReplayIndexStatus.failed,
          replayIndexDueAt: willRetry ? new Date(nowToTheSecond().getTime() + backoffS * 1000) : null,
          ...(failure.result !== 0 ? { replayIndexTriggerResult: failure.result } : {}),
          replayIndexError: error,
        },
      });
      if (count === 0 || willRetry || !this.deps.outbox.listensToAny()) return { result: undefined, events: [] };
      const { appid } = await tx.course.findUniqueOrThrow({ where: { roomnum: course.roomnum }, select: { appid: true } });
      const data = { roomnum: course.roomnum, attempts: course.replayIndexAttempts, error };
      return { result: undefined, events: [{ type: "replay.failed" as const, appid, roomnum: course.roomnum, occurredAt: new Date(), data }] };
    });
    return { kind: "failed", result: failure.result, code: failure.code, info: failure.info, willRetry };
  }
}
