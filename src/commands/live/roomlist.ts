import { z } from "zod";
import { FieldText } from "../../errors";
import { CourseState, MAX_PAGE_SIZE } from "../../services/domain";
import { defineCommand } from "../command";
import { anyUser } from "../access";
import { inOrder, optionalInt, optionalOneOf, optionalStr, pagingFields } from "../fields";
import { fixed, fromQuery, restPaging } from "../rest-mapping";
import { pageShape, presentRoom, RoomShape } from "./presenters";

const ALL_STATES = [CourseState.created, CourseState.living, CourseState.ended, CourseState.replayable] as const;

export const roomListInput = inOrder(
  z
    .object({
      ...pagingFields(FieldText, MAX_PAGE_SIZE),
      roomnum: optionalInt({ invalid: FieldText.roomnum.listInvalid }),
      from_time: optionalInt({ invalid: FieldText.fromTime.listInvalid }),
      to_time: optionalInt({ invalid: FieldText.toTime.listInvalid }),
    })
    .superRefine((input, ctx) => {
      if (input.from_time && input.to_time && input.from_time > input.to_time) {
        ctx.addIssue({ code: "custom", message: FieldText.timeRange.invalid });
      }
    }),
  z.object({
    host_uid: optionalStr(FieldText.hostUid),
    // FIX (B1): 3 (replayable) is a valid filter; anything else is "state invalid".
    state: optionalOneOf(FieldText.state, ALL_STATES),
  }),
);

const listFilters = ["roomnum", "from_time", "to_time", "host_uid", "state"].map((name) => [name, fromQuery(name)] as const);
const playbackFilters = listFilters.filter(([name]) => name !== "state");

export const roomListCommand = defineCommand({
  name: "live.roomlist",
  dialect: "classroom",
  summary:
    "`index`, `size` ≤ 50, filters `roomnum`, `from_time`, `to_time`, `host_uid`, `state` 0–3 (3: the replay players' playback list); each room with its IM range, replay index and videos",
  auth: "token",
  access: anyUser,
  input: roomListInput,
  run: ({ app, services }, input) =>
    services.courses.list(app, {
      index: input.index,
      size: input.size,
      roomnum: input.roomnum,
      fromTime: input.from_time,
      toTime: input.to_time,
      hostUid: input.host_uid,
      state: input.state,
    }),
  output: pageShape("rooms", RoomShape),
  present: (list) => ({ total: list.total, rooms: list.rooms.map((room) => presentRoom(room)) }),
  rest: [
    { method: "get", path: "/courses", input: { ...Object.fromEntries(listFilters), ...restPaging } },
    // The replay players' playback list: replayable classes with their index, IM range and videos.
    { method: "get", path: "/playbacks", input: { ...Object.fromEntries(playbackFilters), state: fixed(CourseState.replayable), ...restPaging } },
  ],
});
