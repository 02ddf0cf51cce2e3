import { z } from "zod";
import { Errors, FieldText } from "../../errors";
import { courseOwner } from "../access";
import { defineCommand } from "../command";
import { int } from "../fields";
import { roomnumInPath } from "../rest-mapping";

export const exitRoomCommand = defineCommand({
  name: "live.exitroom",
  dialect: "classroom",
  summary: "posts IM marker 1002, state 1 → 2, everyone leaves, replay index due",
  auth: "token",
  access: courseOwner(Errors.onlyOwnerEnds),
  input: z.object({ roomnum: int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.invalid }, { min: 1 }) }),
  run: ({ app, user, course, timeStamp, services }) => services.lifecycle.end(app, user, course, timeStamp),
  rest: { method: "post", path: "/courses/:roomnum/end", input: roomnumInPath },
});
