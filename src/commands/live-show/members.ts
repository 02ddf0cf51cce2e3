import { z } from "zod";
import { Errors, FieldText } from "../../errors";
import { MAX_PAGE_SIZE } from "../../services/domain";
import { anyUserOfLiveRoom, liveRoomFromMemory, whenNamingRoom } from "../access";
import { defineCommand } from "../command";
import { int, oneOf, pagingFields, strOneOf } from "../fields";
import { fixed, fromBody, restPaging, roomnumInPath } from "../rest-mapping";
import { liveRole, liveRoomnum } from "./fields";
import { MemberIdsShape } from "../live/presenters";

const T = FieldText.live;
const roomnumField = liveRoomnum({ lack: T.roomnum.lack, invalid: T.roomnum.invalid });
const spacedRoomnumField = liveRoomnum({ lack: T.roomnum.lack, invalid: T.roomnum.invalidSpaced });

/** The hot path, as the classroom's: token and presence in Redis, room facts in memory; never SQL once warm. */
export const liveHeartbeatCommand = defineCommand({
  name: "live.heartbeat",
  dialect: "live",
  summary:
    "`roomnum` (any integer: viewers' apps send -1), `role` (1 host, 0 viewer, 2 co-host), host's `thumbup`; refreshes the caller in the room it is in; Redis only; an unknown token is 10005",
  auth: "token",
  unknownToken: Errors.userNotExist,
  access: liveRoomFromMemory,
  hotPath: { quietLog: true, trustRecentTokenCheck: true, deferTokenUseToReaper: true },
  input: z.object({
    // Any integer, as the original (which refreshed the caller by user): Android viewers send -1.
    roomnum: int({ lack: T.roomnum.lack, invalid: T.roomnum.invalid }),
    role: liveRole({ lack: T.role.lack, invalid: T.role.invalid }),
    // Used only when an integer, else 0 (the original's rule: a host's beat without it resets the count).
    thumbup: z
      .unknown()
      .transform((value) => (typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : 0))
      .optional(),
  }),
  run: ({ app, user, course, services }, input) => services.liveRooms.heartbeat(app, user, course, { role: input.role, thumbup: input.thumbup ?? 0 }),
  rest: { method: "post", path: "/live/rooms/:roomnum/heartbeat", status: 204, input: { ...roomnumInPath, role: fromBody("role"), thumbup: fromBody("thumbup") } },
});

export const liveReportMemberCommand = defineCommand({
  name: "live.reportmemid",
  dialect: "live",
  summary: "`roomnum`, `role`, `operate` 0 join a reported room (leaving any other) / 1 leave",
  auth: "token",
  // Joining names the room; leaving leaves whatever live room the user is in (the original's rule), whatever the number.
  access: whenNamingRoom((input: { roomnum: number; operate: number }) => input.operate === 0, anyUserOfLiveRoom),
  input: z.object({
    roomnum: spacedRoomnumField,
    role: liveRole({ lack: T.role.lack, invalid: T.role.invalidSpaced }),
    operate: oneOf(T.operate, [0, 1] as const),
  }),
  run: ({ user, course, services }, input) => (course ? services.liveRooms.enter(user, course, input.role) : services.liveRooms.leave(user)),
  rest: [
    { method: "post", path: "/live/rooms/:roomnum/members", input: { ...roomnumInPath, role: fromBody("role"), operate: fixed(0) } },
    { method: "delete", path: "/live/rooms/:roomnum/members", status: 204, input: { ...roomnumInPath, role: fixed(0), operate: fixed(1) } },
  ],
});

export const liveRoomMemberListCommand = defineCommand({
  name: "live.roomidlist",
  dialect: "live",
  summary: "who is in the room `{id, role}`, paged by `index`, `size` (empty once the room has ended)",
  auth: "token",
  access: anyUserOfLiveRoom,
  input: z.object({ roomnum: spacedRoomnumField, ...pagingFields(FieldText, MAX_PAGE_SIZE) }),
  run: ({ course, services }, input) => services.liveRooms.members(course, input.index, input.size),
  output: MemberIdsShape,
  present: (list) => ({ total: list.total, idlist: list.members.map((m) => ({ id: m.uid, role: m.role })) }),
  rest: { method: "get", path: "/live/rooms/:roomnum/members", input: { ...roomnumInPath, ...restPaging } },
});

export const liveRequestMicCommand = defineCommand({
  name: "live.request",
  dialect: "live",
  summary: "asks to go on mic in a reported room (a viewer, mic off until it reports on)",
  auth: "token",
  access: anyUserOfLiveRoom,
  input: z.object({ roomnum: roomnumField }),
  run: ({ user, course, services }) => services.liveRooms.requestMic(user, course),
  rest: { method: "post", path: "/live/rooms/:roomnum/mic-requests", status: 201, input: roomnumInPath },
});

export const liveReportStatusCommand = defineCommand({
  name: "live.reportstatus",
  dialect: "live",
  summary: "`status` \"on\" (on mic: a co-host, role 2) / \"off\" (a viewer again)",
  auth: "token",
  access: anyUserOfLiveRoom,
  input: z.object({ roomnum: roomnumField, status: strOneOf(T.status, ["on", "off"] as const) }),
  run: ({ user, course, services }, input) => services.liveRooms.reportMic(user, course, input.status),
  rest: { method: "post", path: "/live/rooms/:roomnum/mic", input: { ...roomnumInPath, status: fromBody("status") } },
});
