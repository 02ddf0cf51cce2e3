import { z } from "zod";
import { FieldText } from "../../errors";
import { defineCommand } from "../command";
import { int } from "../fields";

export const startCourseCommand = defineCommand({
  name: "live.startcourse",
  auth: "token",
  input: z.object({ roomnum: int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.invalidSpaced }) }),
  run: ({ app, user, timeStamp, services }, input) => services.lifecycle.start(app, user, input.roomnum, timeStamp),
});
