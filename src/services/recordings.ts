import type { Config, SdkApp } from "../config";
import { Errors, FieldText } from "../errors";
import type { Db } from "../infra/db/prisma";
import { parseStreamParam } from "../infra/tencent/callbacks";
import { ClassMarker, ImError } from "../infra/tencent/im";
import type { Logger } from "../logger";
import { INT32_MAX, isStorableText, lenientInteger, nowToTheSecond, RoomMode, uidKeyOf } from "./domain";
import type { CourseLock } from "./course-lock";
import type { ClassMarkers } from "./markers";
import type { Metrics } from "../metrics/metrics";
import type { WebhookOutbox } from "../webhooks/outbox";
import type { NewWebhookEvent } from "../webhooks/events";

/**
 * Recorded videos of a class, from Tencent's recording callback (event 100). Tencent
 * retries a callback that is not answered 200 (3 times, 60 s apart), so recording a file is
 * idempotent: the row is keyed by Tencent's file id and written first (nothing is lost),
 * then its 1004 marker is posted into the class's group once (a retry reuses the pending
 * message, which IM keeps once) and its MsgSeq kept as the class's last recording sequence.
 * If the marker cannot be posted the callback fails (500) and Tencent's retry finishes it.
 */

/** Tencent's live event types (tencent-formats.md §(a)). */
export const LiveEventType = { streamEnded: 0, streamStarted: 1, recordingFile: 100, snapshot: 200 } as const;

/** A recording file as the callback describes it (validated). */
export interface RecordedFile {
  streamId: string;
  fileId: string | undefined;
  videoId: string;
  videoUrl: string;
  fileFormat: string | undefined;
  /** Unix seconds. */
  startTime: number;
  endTime: number;
  mediaStartTime: number;
  fileSize: number;
  duration: number;
  streamParam: string | undefined;
}

export interface LiveEvent {
  eventType: number;
  streamId: string;
  /** Event 100 only. */
  file: RecordedFile | undefined;
}

/** A video as lists and the replay index show it. */
export interface VideoView {
  fileId: string;
  videoId: string;
  videoUrl: string;
  uid: string;
  fileFormat: string;
  startAt: Date;
  endAt: Date;
  mediaStartTime: number;
  fileSize: number;
  duration: number;
  imSeq: number | null;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
/** A delivery waits for another one announcing the same file this much longer than one IM call may take. */
const CLAIM_MARGIN_MS = 2000;

export class RecordingService {
  constructor(private readonly deps: { config: Config; db: Db; markers: ClassMarkers; lock: CourseLock; log: Logger; metrics: Metrics; outbox: WebhookOutbox }) {}

  /** One live event: a recording file is recorded; a stream's start or end is logged; anything else is ignored. */
  async onEvent(event: LiveEvent): Promise<void> {
    const { log } = this.deps;
    if (event.eventType === LiveEventType.recordingFile && event.file) return this.recordFile(event.file);
    if (event.eventType === LiveEventType.streamStarted || event.eventType === LiveEventType.streamEnded) {
      log.info({ streamId: event.streamId, eventType: event.eventType }, event.eventType === LiveEventType.streamStarted ? "stream started" : "stream ended");
      return;
    }
    log.debug({ streamId: event.streamId, eventType: event.eventType }, "live event ignored");
  }

  /** The class's videos (or several classes'), oldest first. */
  async videosOf(roomnums: readonly number[]): Promise<Map<number, VideoView[]>> {
    const byRoom = new Map<number, VideoView[]>(roomnums.map((roomnum) => [roomnum, []]));
    if (roomnums.length === 0) return byRoom;
    const rows = await this.deps.db.videoRecord.findMany({
      where: { roomnum: { in: [...roomnums] } },
      orderBy: [{ startAt: "asc" }, { id: "asc" }],
      include: { account: { select: { uid: true } } },
    });
    for (const { account, roomnum, ...video } of rows) {
      byRoom.get(roomnum)?.push({ ...video, uid: account.uid, mediaStartTime: Number(video.mediaStartTime), fileSize: Number(video.fileSize) });
    }
    return byRoom;
  }

  private async recordFile(file: RecordedFile): Promise<void> {
    const { db, log, outbox } = this.deps;
    const { course, app, account } = await this.ownersOf(file);
    const fileId = file.fileId || file.videoId;
    const count = await outbox.withEvents(db, course.roomnum, async (tx) => {
      const stored = await tx.videoRecord.createMany({ data: this.rowOf(file, fileId, course.roomnum, account.uin), skipDuplicates: true });
      const events = stored.count === 1 ? [recordingStored(app.sdkAppId, course.roomnum, account.uid, fileId, file)] : [];
      return { result: stored.count, events };
    });
    this.deps.metrics.recordingFile(count === 1 ? "stored" : "duplicate");
    await this.matchRecording(course.roomnum, fileId);
    const video = await db.videoRecord.findUniqueOrThrow({ where: { fileId } });
    if (video.roomnum !== course.roomnum) {
      log.warn({ fileId, roomnum: course.roomnum, recordedFor: video.roomnum }, "recording file already recorded for another class; kept there");
      return;
    }
    if (video.imSeq !== null) return; // a retry of a file already recorded and announced
    // A live room's chat has no class markers (the live shows' original posted none).
    if (course.mode === RoomMode.live) return log.info({ roomnum: course.roomnum, fileId }, "recording file recorded");
    // Deliveries of one file may overlap (Tencent's retries, several doors and instances): one of them announces it.
    await this.deps.lock.withClaim(course.roomnum, `recording:${video.id}`, this.deps.config.imTimeoutMs + CLAIM_MARGIN_MS, Errors.server, () =>
      this.announce(app, { roomnum: course.roomnum, videoRowId: video.id, fileId }, account.uid, file),
    );
  }

  /** The video row of a recording file. */
  private rowOf(file: RecordedFile, fileId: string, roomnum: number, uin: number) {
    return {
      roomnum,
      uin,
      fileId,
      videoId: file.videoId,
      videoUrl: file.videoUrl,
      streamId: file.streamId,
      fileFormat: file.fileFormat ?? "",
      startAt: new Date(file.startTime * 1000),
      endAt: new Date(file.endTime * 1000),
      mediaStartTime: BigInt(file.mediaStartTime),
      fileSize: BigInt(file.fileSize),
      duration: file.duration,
      recordedAt: nowToTheSecond(),
    };
  }

  /** Posts the file's 1004 marker unless an earlier delivery did, and keeps its MsgSeq (held: the file's claim). */
  private async announce(app: SdkApp, stored: { roomnum: number; videoRowId: number; fileId: string }, uid: string, file: RecordedFile): Promise<void> {
    const { roomnum, videoRowId, fileId } = stored;
    const { db, markers, log } = this.deps;
    const { imSeq } = await db.videoRecord.findUniqueOrThrow({ where: { id: videoRowId }, select: { imSeq: true } });
    if (imSeq !== null) return; // announced already
    const change = `recording:${videoRowId}` as const;
    let seq: number;
    try {
      seq = await markers.post(app, roomnum, change, { type: ClassMarker.recordingFinished, timestamp: nowSeconds(), value: markerValue(uid, file) });
    } catch (error) {
      if (error instanceof ImError) log.warn({ roomnum, fileId, err: error.message }, "recording stored; its 1004 marker failed (Tencent's retry posts it)");
      throw error;
    }
    await db.$transaction([
      db.videoRecord.updateMany({ where: { id: videoRowId, imSeq: null }, data: { imSeq: seq } }),
      db.course.updateMany({ where: { roomnum, lastRecImSeq: { lt: seq } }, data: { lastRecImSeq: seq } }),
    ]);
    await markers.settle(roomnum, change);
    log.info({ roomnum, fileId, imSeq: seq }, "recording file recorded");
  }

  /**
   * A file a server-side recording's stop named belongs to that recording. Looked up after the
   * row is stored: a stop that names it meanwhile matches it from its side (RelayService).
   */
  private async matchRecording(roomnum: number, fileId: string): Promise<void> {
    const recording = await this.deps.db.recording.findFirst({ where: { roomnum, fileIds: { has: fileId } }, select: { id: true } });
    if (recording) await this.deps.db.videoRecord.updateMany({ where: { fileId, recordingId: null }, data: { recordingId: recording.id } });
  }

  /**
   * The class (`groupid`) and the pushing user (base64 `userid`) that `stream_param` names. A
   * live room's stream names no user (the live shows' apps push without one): its host's.
   */
  private async ownersOf(file: RecordedFile) {
    const { db, config } = this.deps;
    const { groupId, uid } = parseStreamParam(file.streamParam ?? "");
    const roomnum = lenientInteger(groupId);
    if (roomnum === undefined || roomnum <= 0 || roomnum > INT32_MAX) throw Errors.requestData(FieldText.streamParam.groupId);
    const named = uid !== undefined && uid !== "" && isStorableText(uid) ? uid : undefined;
    const course = await db.course.findUnique({ where: { roomnum } });
    const app = course ? config.sdkApps.get(course.appid) : undefined;
    if (named === undefined && course?.mode !== RoomMode.live) throw Errors.requestData(FieldText.streamParam.userId);
    if (!course || !app) throw Errors.roomNotExist();
    // findFirst: never batched with other requests' lookups (see AccountService.accountOf).
    const account =
      named === undefined
        ? await db.account.findUniqueOrThrow({ where: { uin: course.hostUin }, select: { uin: true, uid: true } })
        : await db.account.findFirst({ where: { appid: course.appid, uidKey: uidKeyOf(named) }, select: { uin: true, uid: true } });
    if (!account || (named !== undefined && account.uid !== named)) throw Errors.recordingUserNotExist();
    return { course, app, account };
  }
}

/** The 1004 marker's value, keys in the original's order (protocol.md §7.1). */
function markerValue(uid: string, file: RecordedFile) {
  return {
    uid,
    start_time: file.startTime,
    end_time: file.endTime,
    media_start_time: file.mediaStartTime,
    file_size: file.fileSize,
    duration: file.duration,
    video_id: file.videoId,
    video_url: file.videoUrl,
  };
}

/** recording.stored of a new video file. */
function recordingStored(appid: number, roomnum: number, uid: string, fileId: string, file: RecordedFile): NewWebhookEvent<"recording.stored"> {
  const data = {
    roomnum,
    file_id: fileId,
    video_id: file.videoId,
    video_url: file.videoUrl,
    uid,
    start_time: file.startTime,
    end_time: file.endTime,
    duration: file.duration,
    file_size: file.fileSize,
  };
  return { type: "recording.stored", appid, roomnum, occurredAt: new Date(), data };
}
