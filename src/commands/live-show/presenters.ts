import { z } from "zod";
import type { ListedLiveRoom } from "../../services/live-rooms";

/** Live-dialect shapes (live-protocol.md §A.5, §C.3): numbers as numbers, `groupid` a string. */

export const LiveRoomShape = z.object({
  uid: z.string(),
  info: z.object({ title: z.string(), roomnum: z.int(), type: z.string(), groupid: z.string(), cover: z.string(), thumbup: z.int(), memsize: z.int() }),
});

/** A recorded video of the record list. */
export const RecordShape = z.object({
  uid: z.string(),
  cover: z.string(),
  name: z.string(),
  videoId: z.string(),
  playurl: z.array(z.string()),
  createTime: z.int(),
  fileSize: z.number(),
  duration: z.number(),
});

export function presentLiveRoom(room: ListedLiveRoom): z.input<typeof LiveRoomShape> {
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
