import { z } from "zod";
import { FieldText } from "../../errors";
import { defineCommand } from "../command";
import { int } from "../fields";

/** The hot path: token and presence in Redis, course facts in memory; never SQL once warm. */
export const heartbeatCommand = defineCommand({
  name: "live.heartbeat",
  auth: "token",
  hotPath: true,
  input: z.object({ roomnum: int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.invalid }) }),
  run: ({ app, user, services }, input) => services.members.heartbeat(app, user, input.roomnum),
});
