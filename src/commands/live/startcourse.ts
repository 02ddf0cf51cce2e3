import { z } from "zod";
import { Errors, FieldText } from "../../errors";
import { courseOwner } from "../access";
import { defineCommand } from "../command";
import { int } from "../fields";
import { roomnumInPath } from "../rest-mapping";

export const startCourseCommand = defineCommand({
  name: "live.startcourse",
  dialect: "classroom",
  summary: "posts IM marker 1001, state 0 → 1",
  auth: "token",
  access: courseOwner(Errors.onlyOwnerStarts),
  input: z.object({ roomnum: int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.invalidSpaced }) }),
  run: ({ app, user, course, timeStamp, services }) => services.lifecycle.start(app, user, course, timeStamp),
  rest: { method: "post", path: "/courses/:roomnum/start", input: roomnumInPath },
});
