import type { BoundFile } from "../../services/bindings";
import type { ListedCourse } from "../../services/courses";
import { CourseState, unixSeconds } from "../../services/domain";

/**
 * Protocol shapes of course data. A room carries the union of the API document's and
 * the original code's fields (protocol.md "Our decisions"): apps built on either work.
 */
export function presentRoom(course: ListedCourse, nowMs = Date.now()) {
  const dueAt = course.replayIndexDueAt?.getTime();
  const canTrigger =
    course.state === CourseState.ended && dueAt !== undefined && dueAt + 1000 < nowMs && course.replayIndexTriggeredAt === null ? 1 : 0;
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
  };
}

export function presentBoundFile(file: BoundFile & { boundAt: Date }) {
  return { type: file.type, bind_time: unixSeconds(file.boundAt), file_name: file.fileName, url: file.url };
}
