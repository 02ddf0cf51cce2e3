import { z } from "zod";
import { Errors, FieldText } from "../../errors";
import { anyUser, anyUserOfLiveRoom, anyUserOfLiveRoomIfAny, liveRoomHost } from "../access";
import { recordingEventInput, recordingEventOf } from "../callbacks/recording";
import { defineCommand } from "../command";
import { int, optionalStr, str } from "../fields";
import { bodyFields, fromQuery, roomnumInPath } from "../rest-mapping";
import { tencentLiveCallback } from "../access";
import { liveRoomnum } from "./fields";
import { pageShape } from "../live/presenters";
import { RecordShape } from "./presenters";

const T = FieldText.live;

export const liveExitRoomCommand = defineCommand({
  name: "live.exitroom",
  dialect: "live",
  summary: "the host closes its room (`roomnum`, `type`): everyone leaves; a repeat is success",
  auth: "token",
  access: liveRoomHost(Errors.onlyHostClosesRoom),
  input: z.object({
    roomnum: int({ lack: T.roomnum.lack, invalid: T.roomnum.invalid }, { min: 1, emptyIsLack: true }),
    type: str(T.type, { emptyIsLack: true }),
  }),
  run: ({ course, services }) => services.liveRooms.exit(course),
  rest: { method: "delete", path: "/live/rooms/:roomnum", status: 204, input: { ...roomnumInPath, type: fromQuery("type", "live") } },
});

/** A reported room's play URLs; `data: []` when there is none (the original's empty PHP array, which apps expect). */
export const liveRoomPlayUrlCommand = defineCommand({
  name: "live.getroomplayurl",
  dialect: "live",
  summary: "a reported room's `cover`, `address` / `address2` / `address3` (RTMP, FLV, HLS); `[]` when there is none",
  auth: "token",
  access: anyUserOfLiveRoomIfAny,
  input: z.object({ roomnum: liveRoomnum({ lack: T.roomnum.lack, invalid: T.roomnum.invalid }) }),
  run: ({ course, services }) => Promise.resolve(services.liveRooms.playUrlsOf(course)),
  present: (room) => (room ? { cover: room.cover, address: room.play.rtmp, address2: room.play.flv, address3: room.play.hls } : []),
});

export const liveReportRecordCommand = defineCommand({
  name: "live.reportrecord",
  dialect: "live",
  summary: "the host names its manual recording (`roomnum`, `uid`, `name`, `type`, `cover`): the record list shows them",
  auth: "token",
  access: anyUserOfLiveRoom,
  input: z.object({
    roomnum: int(T.record.roomnum, { min: 1 }),
    uid: str(T.record.uid, { emptyIsLack: true, maxLength: 50 }),
    name: str(T.record.name, { maxLength: 256 }),
    type: int(T.record.type),
    cover: optionalStr(T.record.cover, { maxLength: 1024 }),
  }),
  run: ({ user, course, services }, input) => services.liveRooms.reportRecord(user, course, { name: input.name, type: input.type, cover: input.cover }),
  rest: { method: "post", path: "/live/rooms/:roomnum/records", input: { ...roomnumInPath, ...bodyFields("uid", "name", "type", "cover") } },
});

/** Tencent's push and record notifications for live rooms (events 0, 1, 100, 200), as the classroom's recording callback. */
export const liveCallbackCommand = defineCommand({
  name: "live.callback",
  dialect: "live",
  envelope: "liveEvent",
  summary: "Tencent's push and record notifications (events 0, 1, 100, 200; signed, each file once); answers `{code, errorCode, errorInfo}`",
  auth: "signed",
  access: tencentLiveCallback,
  input: recordingEventInput,
  run: ({ services }, input) => services.recordings.onEvent(recordingEventOf(input)),
});

export const liveRecordListCommand = defineCommand({
  name: "live.recordlist",
  dialect: "live",
  summary: "recorded videos, newest first: `index` (a page, from 1), `size` ≤ 100, `type` 0 the live rooms' recordings / else VOD's `sxb_` files, optional `s_uid` → `{uid, cover, name, videoId, playurl[], createTime, fileSize, duration}`",
  auth: "token",
  access: anyUser,
  input: z.object({
    index: int(FieldText.index, { min: 0 }),
    size: int(T.recordPageSize, { min: 0, max: 100 }),
    type: int(T.record.type),
    s_uid: optionalStr(T.sUid, { maxLength: 50 }),
  }),
  run: ({ app, services }, input) =>
    input.type === 0 ? services.liveRooms.records(app, input.index, input.size, input.s_uid) : services.liveRooms.vodRecords(input.index, input.size),
  output: pageShape("videos", RecordShape),
  present: ({ total, records }) => ({
    total,
    videos: records.map((r) => ({
      uid: r.uid,
      cover: r.cover,
      name: r.name,
      videoId: r.videoId,
      playurl: r.playUrls,
      createTime: r.createTime,
      fileSize: r.fileSize,
      duration: r.duration,
    })),
  }),
  rest: { method: "get", path: "/live/records", input: { index: fromQuery("page", 1), size: fromQuery("limit", 20), type: fromQuery("type", 0), s_uid: fromQuery("uid") } },
});
