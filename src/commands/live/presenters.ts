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
export function presentRoom(course: ListedCourse, nowMs = Date.now()) {
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

/** Tencent's output types in answers: 5 RTMP, 2 FLV, 1 HLS. */
const LiveUrlType = { rtmp: 5, flv: 2, hls: 1 } as const;

export const presentLiveUrls = (urls: readonly LiveUrl[]) => urls.map((u) => ({ type: u.type, url: u.url, rate_type: u.rateType }));

/** The general-live names of the play URLs: `address` RTMP, `address2` FLV, `address3` HLS, at the original rate ("" when absent). */
export function presentAddresses(urls: readonly LiveUrl[]) {
  const of = (type: number) => (urls.find((u) => u.type === type && u.rateType === 0) ?? urls.find((u) => u.type === type))?.url ?? "";
  return { address: of(LiveUrlType.rtmp), address2: of(LiveUrlType.flv), address3: of(LiveUrlType.hls) };
}

/** A push's play URLs: the whole list and the three addresses. */
export function presentPlayUrls(urls: readonly LiveUrl[]) {
  return { live_urls: presentLiveUrls(urls), ...presentAddresses(urls) };
}

/** A recorded video: its file, who pushed it, and where it sits in time (unix seconds; media start in ms). */
export function presentVideo(video: VideoView) {
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
export function presentManifest(manifest: ReplayManifest) {
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

export function presentBoundFile(file: BoundFile & { boundAt: Date }) {
  return { type: file.type, bind_time: unixSeconds(file.boundAt), file_name: file.fileName, url: file.url };
}
