import { createCommand } from "../../commands/live/create";
import { exitRoomCommand } from "../../commands/live/exitroom";
import { queryBindCommand } from "../../commands/live/querybind";
import { BindOperation, reportBindCommand } from "../../commands/live/reportbind";
import { MemberOperation, reportMemberCommand } from "../../commands/live/reportmemid";
import { roomMemberListCommand } from "../../commands/live/roomidlist";
import { roomListCommand } from "../../commands/live/roomlist";
import { startCourseCommand } from "../../commands/live/startcourse";
import { Errors } from "../../errors";
import type { RestRequest, RestRoute } from "./door";

/** Courses, their members and bindings over REST; `limit`/`offset` page the lists. */

const DEFAULT_LIMIT = 20;

const paging = ({ query }: RestRequest) => ({ index: query.offset ?? 0, size: query.limit ?? DEFAULT_LIMIT });
const roomnumOf = ({ params }: RestRequest) => params.roomnum;

const listFilters = ({ query }: RestRequest) => ({
  roomnum: query.roomnum,
  from_time: query.from_time,
  to_time: query.to_time,
  host_uid: query.host_uid,
  state: query.state,
});

export const courseRoutes: readonly RestRoute[] = [
  { method: "post", path: "/courses", command: createCommand, status: 201, fields: ({ body }) => body },
  { method: "get", path: "/courses", command: roomListCommand, fields: (r) => ({ ...listFilters(r), ...paging(r) }) },
  {
    method: "get",
    path: "/courses/:roomnum",
    command: roomListCommand,
    fields: (r) => ({ roomnum: roomnumOf(r), index: 0, size: 1 }),
    respond: (data, request) => {
      // The list ignores roomnum 0 (no filter): the room must be the one asked for.
      const room = (data as { rooms: Array<{ roomnum: number }> }).rooms[0];
      if (!room || String(room.roomnum) !== request.params.roomnum) throw Errors.roomNotExist();
      return room;
    },
  },
  { method: "post", path: "/courses/:roomnum/start", command: startCourseCommand, fields: (r) => ({ roomnum: roomnumOf(r) }) },
  { method: "post", path: "/courses/:roomnum/end", command: exitRoomCommand, fields: (r) => ({ roomnum: roomnumOf(r) }) },
  { method: "get", path: "/courses/:roomnum/members", command: roomMemberListCommand, fields: (r) => ({ roomnum: roomnumOf(r), ...paging(r) }) },
  {
    method: "post",
    path: "/courses/:roomnum/members",
    command: reportMemberCommand,
    fields: (r) => ({ roomnum: roomnumOf(r), operate: MemberOperation.enter }),
  },
  {
    method: "delete",
    path: "/courses/:roomnum/members",
    command: reportMemberCommand,
    status: 204,
    fields: (r) => ({ roomnum: roomnumOf(r), operate: MemberOperation.leave }),
  },
  {
    method: "get",
    path: "/courses/:roomnum/bindings",
    command: queryBindCommand,
    fields: (r) => ({ roomnum: roomnumOf(r), from_time: r.query.from_time, to_time: r.query.to_time, ...paging(r) }),
  },
  {
    method: "post",
    path: "/courses/:roomnum/bindings",
    command: reportBindCommand,
    status: 201,
    fields: (r) => ({ roomnum: roomnumOf(r), operate: BindOperation.bind, bind_file: r.body }),
  },
  {
    method: "delete",
    path: "/courses/:roomnum/bindings",
    command: reportBindCommand,
    status: 204,
    // The url to unbind comes in the body or as ?url=; type and name are not needed to unbind.
    fields: (r) => ({
      roomnum: roomnumOf(r),
      operate: BindOperation.unbind,
      bind_file: { type: 0, file_name: "-", ...r.body, url: r.body.url ?? r.query.url },
    }),
  },
];
