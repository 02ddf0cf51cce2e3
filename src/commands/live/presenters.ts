import { z } from "zod";
import type { BoundFile } from "../../services/bindings";
import type { ListedCourse } from "../../services/courses";
import { CourseState, unixSeconds } from "../../services/domain";
import type { VideoView } from "../../services/recordings";
import type { LiveUrl } from "../../services/relay";
import { type ReplayManifest, replayIndexAskable } from "../../services/replay-index";

/**
 * Protocol shapes of course data. A room carries the union of the API document's and
 * the original code's fields (protocol.md "Our decisions"): apps built on either work.
 * Fields the original never had come after them (JSON readers ignore what they do not know).
 */
export function presentRoom(course: ListedCourse, nowMs = Date.now()): z.input<typeof RoomShape> {
  const canTrigger = course.state === CourseState.ended && replayIndexAskable(course, nowMs) ? 1 : 0;
  return {
    host_uid: course.hostUid,
    title: course.title,
    roomnum: course.roomnum,
    state: course.state,
    groupid: String(course.roomnum),
    cover: course.cover,
    begin_time: unixSeconds(course.startedAt),
    end_time: unixSeconds(course.endedAt),
    begin_imseq: course.startImSeq,
    end_imseq: course.endImSeq,
    playback_idx_url: course.replayIndexUrl,
    can_trigger_replay_idx: canTrigger,
    trigger_replay_idx_time: unixSeconds(course.replayIndexTriggeredAt),
    trigger_replay_idx_result: course.replayIndexTriggerResult,
    replay_idx_created_time: unixSeconds(course.replayIndexCreatedAt),
    replay_idx_created_result: course.replayIndexCreatedResult,
    replay_idx_url: course.replayIndexUrl,
    memsize: course.memsize,
    // The replay index's progress (waiting, requested, built, failed; "" before the class ends).
    replay_idx_status: course.replayIndexStatus ?? "",
    replay_idx_attempts: course.replayIndexAttempts,
    replay_idx_error: course.replayIndexError,
    last_rec_imseq: course.lastRecImSeq,
    videos: course.videos.map(presentVideo),
    // Server-side recording running; the CDN play URLs while the class is relayed (Tencent's list, whole).
    recording: course.relay.recording ? 1 : 0,
    live_urls: presentLiveUrls(course.relay.liveUrls),
  };
}

/** Unix seconds; 0 when it has not happened. */
const unixTime = z.int().min(0);
const text = z.string();

export const LiveUrlShape = z.object({ type: z.int().meta({ description: "5 RTMP, 2 FLV, 1 HLS" }), url: text, rate_type: z.int() });

export const VideoShape = z.object({
  file_id: text,
  video_id: text,
  video_url: text,
  uid: text,
  file_format: text,
  start_time: unixTime,
  end_time: unixTime,
  media_start_time: z.int(),
  duration: z.number(),
  file_size: z.number(),
  imseq: z.int(),
});

export const RoomShape = z.object({
  host_uid: text,
  title: text,
  roomnum: z.int(),
  state: z.int().meta({ description: "0 created, 1 living, 2 ended, 3 replayable" }),
  groupid: text,
  cover: text,
  begin_time: unixTime,
  end_time: unixTime,
  begin_imseq: z.int(),
  end_imseq: z.int(),
  playback_idx_url: text,
  can_trigger_replay_idx: z.union([z.literal(0), z.literal(1)]),
  trigger_replay_idx_time: unixTime,
  trigger_replay_idx_result: z.int(),
  replay_idx_created_time: unixTime,
  replay_idx_created_result: z.int(),
  replay_idx_url: text,
  memsize: z.int(),
  replay_idx_status: text.meta({ description: 'waiting, requested, built or failed; "" before the class ends' }),
  replay_idx_attempts: z.int(),
  replay_idx_error: text,
  last_rec_imseq: z.int(),
  videos: z.array(VideoShape),
  recording: z.union([z.literal(0), z.literal(1)]),
  live_urls: z.array(LiveUrlShape),
});

/** The three play addresses of the general-live dialect ("" when absent). */
export const AddressesShape = z.object({ address: text, address2: text, address3: text });
export const PlayUrlsShape = AddressesShape.extend({ live_urls: z.array(LiveUrlShape) });

export const ManifestShape = z.object({
  version: z.literal(1),
  roomnum: z.int(),
  groupid: text,
  title: text,
  host_uid: text,
  begin_time: unixTime,
  end_time: unixTime,
  begin_imseq: z.int(),
  end_imseq: z.int(),
  last_rec_imseq: z.int(),
  videos: z.array(VideoShape),
  members: z.array(z.object({ uid: text, role: z.int(), join_time: unixTime, leave_time: unixTime, leave_reason: text })),
});

export const BoundFileShape = z.object({ type: z.int(), bind_time: unixTime, file_name: text, url: text });

/** A page of a list: how many in all, and this page's entries under `key`. */
export const pageShape = <K extends string, T extends z.ZodType>(key: K, entry: T) =>
  z.object({ total: z.int().min(0) }).extend({ [key]: z.array(entry) } as { [P in K]: z.ZodArray<T> });

/** Present members of a class or room. */
export const MemberIdsShape = pageShape("idlist", z.object({ id: text, role: z.int() }));

/** Tencent's output types in answers: 5 RTMP, 2 FLV, 1 HLS. */
const LiveUrlType = { rtmp: 5, flv: 2, hls: 1 } as const;

export const presentLiveUrls = (urls: readonly LiveUrl[]): z.input<typeof LiveUrlShape>[] => urls.map((u) => ({ type: u.type, url: u.url, rate_type: u.rateType }));

/** The general-live names of the play URLs: `address` RTMP, `address2` FLV, `address3` HLS, at the original rate ("" when absent). */
export function presentAddresses(urls: readonly LiveUrl[]): z.input<typeof AddressesShape> {
  const of = (type: number) => (urls.find((u) => u.type === type && u.rateType === 0) ?? urls.find((u) => u.type === type))?.url ?? "";
  return { address: of(LiveUrlType.rtmp), address2: of(LiveUrlType.flv), address3: of(LiveUrlType.hls) };
}

/** A push's play URLs: the whole list and the three addresses. */
export function presentPlayUrls(urls: readonly LiveUrl[]): z.input<typeof PlayUrlsShape> {
  return { live_urls: presentLiveUrls(urls), ...presentAddresses(urls) };
}

/** A recorded video: its file, who pushed it, and where it sits in time (unix seconds; media start in ms). */
export function presentVideo(video: VideoView): z.input<typeof VideoShape> {
  return {
    file_id: video.fileId,
    video_id: video.videoId,
    video_url: video.videoUrl,
    uid: video.uid,
    file_format: video.fileFormat,
    start_time: unixSeconds(video.startAt),
    end_time: unixSeconds(video.endAt),
    media_start_time: video.mediaStartTime,
    duration: video.duration,
    file_size: video.fileSize,
    imseq: video.imSeq ?? 0,
  };
}

/** The built-in replay index: what a replay player needs to play the videos and replay the chat beside them. */
export function presentManifest(manifest: ReplayManifest): z.input<typeof ManifestShape> {
  const { course } = manifest;
  return {
    version: 1,
    roomnum: course.roomnum,
    groupid: String(course.roomnum),
    title: course.title,
    host_uid: course.hostUid,
    begin_time: unixSeconds(course.startedAt),
    end_time: unixSeconds(course.endedAt),
    // The class's chat is the group's messages from begin_imseq to end_imseq (IM group_msg_get_simple).
    begin_imseq: course.startImSeq,
    end_imseq: course.endImSeq,
    last_rec_imseq: course.lastRecImSeq,
    videos: manifest.videos.map(presentVideo),
    members: manifest.stays.map((stay) => ({
      uid: stay.uid,
      role: stay.role,
      join_time: unixSeconds(stay.joinedAt),
      leave_time: unixSeconds(stay.leftAt),
      leave_reason: stay.leaveReason ?? "",
    })),
  };
}

export function presentBoundFile(file: BoundFile & { boundAt: Date }): z.input<typeof BoundFileShape> {
  return { type: file.type, bind_time: unixSeconds(file.boundAt), file_name: file.fileName, url: file.url };
}
