import { z } from "zod";
import { Errors, FieldText } from "../../errors";
import { isStorableText, MAX_PAGE_SIZE } from "../../services/domain";
import { anyUser, anyUserOfLiveRoom, liveRoomHost, namingOwnApp } from "../access";
import { defineCommand } from "../command";
import { lenientInteger, pagingFields, phpEmpty, str } from "../fields";
import { bodyFields, fromQuery, restPaging, roomnumInPath } from "../rest-mapping";
import { liveRoomnum, reportedLbs, reportedRoom } from "./fields";
import { LiveRoomShape, presentLiveRoom } from "./presenters";
import { AddressesShape, pageShape } from "../live/presenters";

const T = FieldText.live;

export const liveCreateCommand = defineCommand({
  name: "live.create",
  dialect: "live",
  summary: "`type` (\"live\") → a new room of the caller's, `roomnum`, `groupid` (the host's earlier room ends)",
  auth: "token",
  access: anyUser,
  input: z.object({ type: str(T.type) }),
  run: ({ app, user, services }) => services.liveRooms.create(app, user),
  output: z.object({ roomnum: z.int(), groupid: z.string() }),
  present: (room) => ({ roomnum: room.roomnum, groupid: room.groupid }),
  rest: { method: "post", path: "/live/rooms", status: 201, input: bodyFields("type") },
});

type ReportRoomInput = { room: { appid: string; roomnum: number } };

export const liveReportRoomCommand = defineCommand({
  name: "live.reportroom",
  dialect: "live",
  summary: "the host reports its room: `room {title, cover, type, roomnum, groupid, device 0 iOS / 1 Android / 2 PC, videotype 0 camera / 1 screen, appid}`, optional `lbs`; it is listed from then",
  auth: "token",
  // The room is its host's app's: `room.appid` must name it (an app not configured, or another one, is 10003).
  access: namingOwnApp(
    (input: ReportRoomInput) => input.room.appid,
    liveRoomHost(Errors.onlyHostReportsRoom, (input: ReportRoomInput) => input.room.roomnum),
  ),
  input: z.object({ room: reportedRoom, lbs: reportedLbs }),
  run: ({ course, services }, { room, lbs }) =>
    services.liveRooms.report(course, {
      title: room.title,
      cover: room.cover,
      type: room.type,
      groupId: room.groupid,
      device: room.device,
      videoType: room.videotype,
      appid: room.appid,
      lbs,
    }),
  rest: { method: "post", path: "/live/room-reports", input: {}, bodyIsInput: true },
});

/**
 * `appid` filters by app: another app than the caller's lists nothing (rooms stay within their
 * app). The door has refused any appid that names no configured app; PHP-empty names none.
 */
const appidFilter = z
  .unknown()
  .transform((value) => (phpEmpty(value) ? undefined : lenientInteger(value)))
  .optional();

export const liveRoomListCommand = defineCommand({
  name: "live.roomlist",
  dialect: "live",
  summary: "the reported rooms, newest first: `index` (offset), `size` ≤ 50, optional `type`, `appid` → `{uid, info{title, roomnum, type, groupid, cover, thumbup, memsize}}`",
  auth: "token",
  access: anyUser,
  input: z.object({
    ...pagingFields(FieldText, MAX_PAGE_SIZE),
    appid: appidFilter,
    // Used only when it is a string (one web client sends `type: 1`), as the original did.
    type: z
      .unknown()
      .transform((value) => (typeof value === "string" && isStorableText(value) ? value : undefined))
      .optional(),
  }),
  run: ({ app, services }, input) =>
    input.appid !== undefined && input.appid !== 0 && input.appid !== app.sdkAppId
      ? Promise.resolve({ total: 0, rooms: [] })
      : services.liveRooms.list(app, { index: input.index, size: input.size, type: input.type }),
  output: pageShape("rooms", LiveRoomShape),
  present: (list) => ({ total: list.total, rooms: list.rooms.map(presentLiveRoom) }),
  rest: { method: "get", path: "/live/rooms", input: { type: fromQuery("type"), ...restPaging } },
});

export const liveStreamListLiveCommand = defineCommand({
  name: "live.livestreamlist",
  dialect: "live",
  summary: "the reported rooms' bypass-live play URLs, newest first: `{uid, cover, address, address2, address3}` (RTMP, FLV, HLS)",
  auth: "token",
  access: anyUser,
  input: z.object({ ...pagingFields(FieldText, MAX_PAGE_SIZE), appid: appidFilter }),
  run: ({ app, services }, input) =>
    input.appid !== undefined && input.appid !== 0 && input.appid !== app.sdkAppId
      ? Promise.resolve({ total: 0, rooms: [] })
      : services.liveRooms.list(app, { index: input.index, size: input.size }),
  output: pageShape("videos", z.object({ uid: z.string(), cover: z.string(), ...AddressesShape.shape })),
  present: (list) => ({
    total: list.total,
    videos: list.rooms.map((room) => ({ uid: room.hostUid, cover: room.course.cover, address: room.play.rtmp, address2: room.play.flv, address3: room.play.hls })),
  }),
  rest: { method: "get", path: "/live/streams", input: restPaging },
});

/** One reported room with its play URLs (REST only: the live dialect reads rooms from roomlist and getroomplayurl). */
export const liveRoomCommand = defineCommand({
  name: "live-rooms.get",
  dialect: "rest",
  summary: "one reported live room, as the live room list shows it, with its play URLs",
  auth: "token",
  access: anyUserOfLiveRoom,
  input: z.object({ roomnum: liveRoomnum({ lack: T.roomnum.lack, invalid: T.roomnum.invalid }) }),
  run: ({ course, services }) => services.liveRooms.describe(course),
  output: z.object({ ...LiveRoomShape.shape, ...AddressesShape.shape }),
  present: (room) => ({ ...presentLiveRoom(room), address: room.play.rtmp, address2: room.play.flv, address3: room.play.hls }),
  rest: { method: "get", path: "/live/rooms/:roomnum", input: roomnumInPath },
});
