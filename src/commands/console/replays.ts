import { z } from "zod";
import { FieldText } from "../../errors";
import { CourseState, MAX_PAGE_SIZE, unixSeconds } from "../../services/domain";
import { operatorOfApp } from "../access";
import { defineCommand } from "../command";
import { int, optionalInt, optionalOneOf, optionalStr, pagingFields } from "../fields";
import { pageShape, presentRoom, RoomShape } from "../live/presenters";
import { fromQuery, restPaging, roomnumInPath } from "../rest-mapping";
import { consoleAppInput } from "./live";

/** The playback list as the console filters it: by teacher, by time, by state (ended or replayable; both when not said). */
export const consoleReplaysCommand = defineCommand({
  name: "console.replays",
  dialect: "rest",
  summary: "the app's ended and replayable classes, newest first, each with its replay index and videos; filters `host_uid`, `from_time`, `to_time`, `state` (2 ended, 3 replayable)",
  auth: "console",
  access: operatorOfApp,
  input: z.object({
    ...consoleAppInput,
    ...pagingFields(FieldText, MAX_PAGE_SIZE),
    host_uid: optionalStr(FieldText.hostUid),
    from_time: optionalInt({ invalid: FieldText.fromTime.listInvalid }),
    to_time: optionalInt({ invalid: FieldText.toTime.listInvalid }),
    state: optionalOneOf(FieldText.state, [CourseState.ended, CourseState.replayable] as const),
  }),
  run: ({ course: { app }, services }, input) =>
    services.courses.list(app, {
      index: input.index,
      size: input.size,
      hostUid: input.host_uid,
      fromTime: input.from_time,
      toTime: input.to_time,
      states: input.state === undefined ? [CourseState.ended, CourseState.replayable] : [input.state],
    }),
  output: pageShape("rooms", RoomShape),
  present: (list) => ({ total: list.total, rooms: list.rooms.map((room) => presentRoom(room)) }),
  rest: { method: "get", path: "/console/replays", input: { ...Object.fromEntries(["appid", "host_uid", "from_time", "to_time", "state"].map((name) => [name, fromQuery(name)])), ...restPaging } },
});

const ChatShape = z.object({
  roomnum: z.int(),
  messages: z.array(
    z.object({
      seq: z.int(),
      from: z.string(),
      time: z.int(),
      kind: z.enum(["text", "custom", "other"]).meta({ description: "text: a chat message; custom: a class marker or another custom element (its Data); other: the element's type" }),
      text: z.string(),
    }),
  ),
});

/** A class's chat for its replay view: the IM group's messages of its sequence range, from IM. */
export const consoleChatCommand = defineCommand({
  name: "console.chat",
  dialect: "rest",
  summary: "a class's chat: the IM group's messages from `begin_imseq` to `end_imseq` (to the latest while living), oldest first, from IM",
  auth: "console",
  access: operatorOfApp,
  input: z.object({ ...consoleAppInput, roomnum: int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.listInvalid }) }),
  run: async ({ course: { app }, services }, input) => ({ roomnum: input.roomnum, messages: await services.console.chat(app, input.roomnum) }),
  output: ChatShape,
  present: ({ roomnum, messages }) => ({ roomnum, messages: messages.map((m) => ({ seq: m.seq, from: m.from, time: unixSeconds(m.at), kind: m.kind, text: m.text })) }),
  rest: { method: "get", path: "/console/courses/:roomnum/chat", input: { ...roomnumInPath, appid: fromQuery("appid") } },
});
