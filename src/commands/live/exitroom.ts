import { z } from "zod";
import { FieldText } from "../../errors";
import { defineCommand } from "../command";
import { int } from "../fields";

export const exitRoomCommand = defineCommand({
  name: "live.exitroom",
  auth: "token",
  input: z.object({ roomnum: int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.invalid }, { min: 1 }) }),
  run: ({ app, user, timeStamp, services }, input) => services.lifecycle.end(app, user, input.roomnum, timeStamp),
});
