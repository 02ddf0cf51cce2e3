import { z } from "zod";
import { FieldText } from "../../errors";
import { anyUserOfCourse } from "../access";
import { defineCommand } from "../command";
import { int } from "../fields";
import { presentRoom, RoomShape } from "../live/presenters";
import { roomnumInPath } from "../rest-mapping";

/** One course, as the course list shows it (REST only: the protocol reads it from roomlist). */
export const courseCommand = defineCommand({
  name: "courses.get",
  dialect: "rest",
  summary: "one course, as `live.roomlist` shows it",
  auth: "token",
  access: anyUserOfCourse,
  input: z.object({ roomnum: int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.listInvalid }) }),
  run: ({ course, services }) => services.courses.describe(course),
  output: RoomShape,
  present: (course) => presentRoom(course),
  rest: { method: "get", path: "/courses/:roomnum", input: roomnumInPath },
});
