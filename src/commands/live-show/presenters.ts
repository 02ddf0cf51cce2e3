import type { ListedLiveRoom } from "../../services/live-rooms";

/** Live-dialect shapes (live-protocol.md §A.5, §C.3): numbers as numbers, `groupid` a string. */

export function presentLiveRoom(room: ListedLiveRoom) {
  return {
    uid: room.hostUid,
    info: {
      title: room.course.title,
      roomnum: room.course.roomnum,
      type: room.report.type,
      groupid: room.report.groupId,
      cover: room.course.cover,
      thumbup: room.thumbup,
      memsize: room.memsize,
    },
  };
}
