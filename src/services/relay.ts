import type { Config, SdkApp } from "../config";
import { Errors } from "../errors";
import type { Prisma } from "../generated/prisma/client";
import type { Db } from "../infra/db/prisma";
import { type LiveUrl, type RelayTarget, type VideorelayClient, VideorelayError } from "../infra/tencent/videorelay";
import { ALREADY_DONE, relayCodeOf } from "../infra/tencent/videorelay-codes";

export type { LiveUrl };
import type { Logger } from "../logger";
import type { CourseLock } from "./course-lock";
import type { Course } from "./courses";
import { CourseState, nowToTheSecond, unixSeconds } from "./domain";
import { countedPage } from "./paging";

/**
 * Server-side recording and relay push of a class (Tencent's videorelay 0x5 / 0x6), of the
 * teacher's stream: only while the class is living; one change at a time per course (the
 * relay lock, apart from the state lock so members still enter). Tencent's "already
 * started / stopped" is success. A stop names the recorded files, kept with the recording
 * and matched with their recording callbacks. With AUTO_RECORD / AUTO_PUSH a class starts
 * them when it starts; every class stops what is still running when it ends (teacher or
 * reaper), best effort: a class that ended is not held by a relay that failed.
 *
 * Never orphaned: a start is kept, unconfirmed ("maybe running"), before it is sent, and
 * confirmed once Tencent answers; a start Tencent says it did not do is forgotten, one whose
 * outcome is unknown (no answer, an unreadable one, Tencent's own retryable failure) stays
 * maybe running: shown nowhere, retried by the next start, stopped at the class's end exactly
 * like a running one. videorelay has no query, so a start answered "already started" that we
 * hold no answer for is recovered by what Tencent does say: a recording is running (under the
 * name we asked for, if the maybe-running row has it); a push is stopped and started again,
 * the only way to learn its channel id and play URLs.
 */

/** Which stream of the teacher: 0 the camera, 1 the shared screen. */
export type StreamKind = 0 | 1;

export interface PushView {
  channelId: string;
  liveUrls: LiveUrl[];
}

/** A class's relay now: its push's play URLs (none when not pushing), whether it is being recorded. */
export interface RelayState {
  liveUrls: LiveUrl[];
  recording: boolean;
}

const SDK_NORMAL = 1;

export class RelayService {
  constructor(private readonly deps: { config: Config; db: Db; videorelay: VideorelayClient; lock: CourseLock; log: Logger }) {}

  /** live.startrecord: records the teacher's stream (a running recording is kept; a maybe running one is started again under its name). */
  async startRecording(app: SdkApp, course: Course, stream: StreamKind): Promise<{ fileName: string }> {
    if (course.state !== CourseState.living) throw Errors.relayNeedsLiving();
    return this.deps.lock.withRelay(course.roomnum, Errors.relayBusy, async () => {
      const { db, videorelay } = this.deps;
      const open = await this.openRecording(course.roomnum, stream);
      if (open?.confirmed) return { fileName: open.fileName };
      const target = await this.teacherOf(course);
      const row = open ?? (await this.recordingIntent(course, stream));
      const notDone = open ? undefined : () => db.recording.delete({ where: { id: row.id } });
      // Answered "already recording" (a lost start of ours, or one without a row of ours): that is the recording, kept as running.
      await this.relay("record", () => videorelay.record(app, target, { oper: "start", fileName: row.fileName, sdkType: SDK_NORMAL, recordDataType: stream }), notDone);
      await db.recording.update({ where: { id: row.id }, data: { confirmed: true } });
      return { fileName: row.fileName };
    });
  }

  /** live.stoprecord: stops it; the files Tencent names are kept with the recording (none if it had stopped already). */
  async stopRecording(app: SdkApp, course: Course, stream: StreamKind): Promise<{ fileIds: string[] }> {
    if (course.state !== CourseState.living) throw Errors.relayNeedsLiving();
    return this.deps.lock.withRelay(course.roomnum, Errors.relayBusy, () => this.stopRecordingOf(app, course, stream));
  }

  /** live.startpush: relays the teacher's stream to CDN; the play URLs are kept with the course (a running push is kept). */
  async startPush(app: SdkApp, course: Course, stream: StreamKind): Promise<PushView> {
    if (course.state !== CourseState.living) throw Errors.relayNeedsLiving();
    return this.deps.lock.withRelay(course.roomnum, Errors.relayBusy, async () => {
      const { db, videorelay } = this.deps;
      const open = await this.openPush(course.roomnum, stream);
      if (open?.confirmed) return { channelId: open.channelId, liveUrls: open.liveUrls as unknown as LiveUrl[] };
      const target = await this.teacherOf(course);
      const row = open ?? (await this.pushIntent(course, stream));
      const notDone = () => db.livePush.delete({ where: { id: row.id } });
      let started = await this.relay("push", () => this.pushStart(app, target, course, stream), open ? undefined : notDone);
      if (started.alreadyPushing) {
        // Pushing, but the answer that named its channel and play URLs was lost (or never ours): stop it, start it again.
        await this.relay("push", () => videorelay.push(app, target, { oper: "stop", sdkType: SDK_NORMAL, pushDataType: stream }));
        started = await this.relay("push", () => this.pushStart(app, target, course, stream), notDone);
        if (started.alreadyPushing) throw this.startedMeanwhile();
      }
      const view = { channelId: started.channelId ?? "", liveUrls: started.liveUrls };
      await db.livePush.update({ where: { id: row.id }, data: { channelId: view.channelId, liveUrls: view.liveUrls as unknown as Prisma.InputJsonValue, confirmed: true } });
      return view;
    });
  }

  /** live.stoppush. */
  async stopPush(app: SdkApp, course: Course, stream: StreamKind): Promise<void> {
    if (course.state !== CourseState.living) throw Errors.relayNeedsLiving();
    await this.deps.lock.withRelay(course.roomnum, Errors.relayBusy, () => this.stopPushOf(app, course, stream));
  }

  /** A class started: AUTO_RECORD / AUTO_PUSH start them (failures are logged: the class has started). */
  async classStarted(app: SdkApp, course: Course): Promise<void> {
    const { autoRecord, autoPush } = this.deps.config.videorelay;
    const living = { ...course, state: CourseState.living };
    if (autoRecord) await this.startRecording(app, living, 0).catch((error: unknown) => this.logFailure(course.roomnum, "auto record", error));
    if (autoPush) await this.startPush(app, living, 0).catch((error: unknown) => this.logFailure(course.roomnum, "auto push", error));
  }

  /** Classes ended: what still records or pushes, or maybe does (a start whose answer was lost), is stopped; it is over whatever Tencent answers. */
  async classesEnded(roomnums: readonly number[]): Promise<void> {
    if (roomnums.length === 0) return;
    const { db, config } = this.deps;
    const where = { roomnum: { in: [...roomnums] }, stoppedAt: null };
    const select = { roomnum: true, stream: true } as const;
    const [recordings, pushes] = await Promise.all([db.recording.findMany({ where, select }), db.livePush.findMany({ where, select })]);
    if (recordings.length + pushes.length === 0) return;
    const courses = await db.course.findMany({ where: { roomnum: { in: [...new Set([...recordings, ...pushes].map((r) => r.roomnum))] } } });
    for (const course of courses) {
      const app = config.sdkApps.get(course.appid);
      if (!app) continue;
      // Each stream that records or pushes is stopped by name: a stop of the camera leaves the screen running.
      const streamsOf = (rows: ReadonlyArray<{ roomnum: number; stream: number }>) => [...new Set(rows.filter((r) => r.roomnum === course.roomnum).map((r) => r.stream as StreamKind))];
      await this.deps.lock
        .withRelay(course.roomnum, Errors.relayBusy, async () => {
          for (const stream of streamsOf(recordings)) await this.stopRecordingOf(app, course, stream).catch((error: unknown) => this.closeAfterFailure("recording", course.roomnum, stream, error));
          for (const stream of streamsOf(pushes)) await this.stopPushOf(app, course, stream).catch((error: unknown) => this.closeAfterFailure("push", course.roomnum, stream, error));
        })
        .catch((error: unknown) => this.logFailure(course.roomnum, "stop at class end", error));
    }
  }

  /** One class's relay now. */
  async stateOfOne(roomnum: number): Promise<RelayState> {
    return (await this.stateOf([roomnum])).get(roomnum) ?? { liveUrls: [], recording: false };
  }

  /** Several classes' relay now (lists show it). */
  async stateOf(roomnums: readonly number[]): Promise<Map<number, RelayState>> {
    const states = new Map<number, RelayState>(roomnums.map((roomnum) => [roomnum, { liveUrls: [], recording: false }]));
    if (roomnums.length === 0) return states;
    // A maybe running relay is not shown: its play URLs are unknown, and it may not run.
    const where = { roomnum: { in: [...roomnums] }, stoppedAt: null, confirmed: true };
    const [recordings, pushes] = await Promise.all([
      this.deps.db.recording.findMany({ where, select: { roomnum: true } }),
      this.deps.db.livePush.findMany({ where, select: { roomnum: true, liveUrls: true } }),
    ]);
    for (const { roomnum } of recordings) states.get(roomnum)!.recording = true;
    for (const { roomnum, liveUrls } of pushes) states.get(roomnum)!.liveUrls = liveUrls as unknown as LiveUrl[];
    return states;
  }

  /** The classes of an app whose stream is relayed to CDN now, newest push first. */
  async pushing(app: SdkApp, index: number, size: number): Promise<{ total: number; streams: Array<{ course: Course & { hostUid: string }; liveUrls: LiveUrl[] }> }> {
    const where = { stoppedAt: null, confirmed: true, course: { appid: app.sdkAppId, state: CourseState.living } };
    const [total, pushes] = await countedPage(
      this.deps.db.livePush.count({ where }),
      size,
      () =>
        this.deps.db.livePush.findMany({
          where,
          orderBy: [{ startedAt: "desc" }, { id: "desc" }],
          skip: index,
          take: size,
          include: { course: true, account: { select: { uid: true } } },
        }),
    );
    return { total, streams: pushes.map((push) => ({ course: { ...push.course, hostUid: push.account.uid }, liveUrls: push.liveUrls as unknown as LiveUrl[] })) };
  }

  private async stopRecordingOf(app: SdkApp, course: Course, stream: StreamKind): Promise<{ fileIds: string[] }> {
    const { db } = this.deps;
    const open = await this.openRecording(course.roomnum, stream);
    const stopped = await this.relay("record", async () => this.deps.videorelay.record(app, await this.teacherOf(course), { oper: "stop", sdkType: SDK_NORMAL, recordDataType: stream }));
    const fileIds = stopped.oper === "stop" ? stopped.fileIds : [];
    if (!open) return { fileIds };
    await db.recording.update({ where: { id: open.id }, data: { stoppedAt: nowToTheSecond(), fileIds } });
    // Then (not in one transaction: a callback storing a file meanwhile must see the names, or be seen here):
    // the files whose callbacks came first are matched now.
    await db.videoRecord.updateMany({ where: { roomnum: course.roomnum, fileId: { in: fileIds }, recordingId: null }, data: { recordingId: open.id } });
    return { fileIds };
  }

  /** A recording kept before its start is sent (maybe running until Tencent answers). */
  private recordingIntent(course: Course, stream: StreamKind) {
    const startedAt = nowToTheSecond();
    const fileName = `class_${course.roomnum}_${unixSeconds(startedAt)}${stream === 1 ? "_screen" : ""}`;
    return this.deps.db.recording.create({ data: { roomnum: course.roomnum, uin: course.hostUin, fileName, startedAt, confirmed: false, stream } });
  }

  /** A push kept before its start is sent (maybe running, its channel and play URLs unknown, until Tencent answers). */
  private pushIntent(course: Course, stream: StreamKind) {
    return this.deps.db.livePush.create({ data: { roomnum: course.roomnum, uin: course.hostUin, channelId: "", liveUrls: [], startedAt: nowToTheSecond(), confirmed: false, stream } });
  }

  private pushStart(app: SdkApp, target: RelayTarget, course: Course, stream: StreamKind) {
    const { pushLiveCode, pushRateTypes } = this.deps.config.videorelay;
    return this.deps.videorelay.push(app, target, {
      oper: "start",
      liveCode: pushLiveCode,
      sdkType: SDK_NORMAL,
      channelName: `class ${course.roomnum}`,
      channelDescribe: course.title,
      pushDataType: stream,
      tape: false,
      rateTypes: pushRateTypes,
    });
  }

  /** Stopped, then "already pushing" again: someone else started it in between; the push stays maybe running (stopped at the end). */
  private startedMeanwhile() {
    const code = ALREADY_DONE.push.start[0];
    this.deps.log.warn({ code }, "videorelay: a push stopped to learn its play URLs was started again by someone else");
    return Errors.relayFailed("push", { code, ...relayCodeOf("push", code) });
  }

  private async stopPushOf(app: SdkApp, course: Course, stream: StreamKind): Promise<void> {
    const open = await this.openPush(course.roomnum, stream);
    await this.relay("push", async () => this.deps.videorelay.push(app, await this.teacherOf(course), { oper: "stop", sdkType: SDK_NORMAL, pushDataType: stream }));
    if (open) await this.deps.db.livePush.update({ where: { id: open.id }, data: { stoppedAt: nowToTheSecond() } });
  }

  /** The course's open recording of one stream (Tencent keeps one per stream). */
  private openRecording(roomnum: number, stream: StreamKind) {
    return this.deps.db.recording.findFirst({ where: { roomnum, stream, stoppedAt: null }, orderBy: { id: "desc" } });
  }

  private openPush(roomnum: number, stream: StreamKind) {
    return this.deps.db.livePush.findFirst({ where: { roomnum, stream, stoppedAt: null }, orderBy: { id: "desc" } });
  }

  /** The teacher's stream in the class's AV room (its number is the room's). */
  private async teacherOf(course: Course): Promise<RelayTarget> {
    const host = await this.deps.db.account.findUniqueOrThrow({ where: { uin: course.hostUin }, select: { uid: true } });
    return { roomnum: course.roomnum, account: host.uid };
  }

  /**
   * Runs a videorelay call; Tencent's refusal (or silence) is the request's 10103 with Tencent's code,
   * meaning and advice. `notDone` runs first when the answer says the operation was not done.
   */
  private async relay<T>(what: "record" | "push", call: () => Promise<T>, notDone?: () => Promise<unknown>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof VideorelayError)) throw error;
      this.deps.log.warn({ what, kind: error.kind, code: error.code, meaning: error.meaning, mayHaveBeenDone: error.mayHaveBeenDone }, "videorelay refused");
      if (notDone && !error.mayHaveBeenDone) await notDone();
      throw Errors.relayFailed(what, error);
    }
  }

  /**
   * At a class's end a relay that cannot be stopped is over all the same (the class is), running and
   * maybe running alike: no later retry (the reasons are in docs/architecture.md); an error names it for a
   * stop by hand (a stop needs only the room, the teacher and the stream).
   */
  private async closeAfterFailure(what: "recording" | "push", roomnum: number, stream: StreamKind, error: unknown): Promise<void> {
    this.deps.log.error({ roomnum, what, stream, err: error instanceof Error ? error.message : String(error) }, `stop ${what} at class end failed: it may run on at Tencent; closed`);
    const where = { roomnum, stream, stoppedAt: null };
    const data = { stoppedAt: nowToTheSecond() };
    await (what === "recording" ? this.deps.db.recording.updateMany({ where, data }) : this.deps.db.livePush.updateMany({ where, data }));
  }

  private logFailure(roomnum: number, what: string, error: unknown): void {
    this.deps.log.warn({ roomnum, err: error instanceof Error ? error.message : String(error) }, `${what} failed`);
  }
}
