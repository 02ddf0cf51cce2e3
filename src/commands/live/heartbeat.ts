import { z } from "zod";
import { FieldText } from "../../errors";
import { anyUserOfCourseFromMemory } from "../access";
import { defineCommand } from "../command";
import { int } from "../fields";
import { roomnumInPath } from "../rest-mapping";

/** The hot path: token and presence in Redis, course facts in memory; never SQL once warm. */
export const heartbeatCommand = defineCommand({
  name: "live.heartbeat",
  dialect: "classroom",
  summary: "`roomnum`, every 3 s; Redis only (a member dropped for silence comes back)",
  auth: "token",
  access: anyUserOfCourseFromMemory,
  hotPath: { quietLog: true, trustRecentTokenCheck: true, deferTokenUseToReaper: true },
  input: z.object({ roomnum: int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.invalid }) }),
  run: ({ user, course, services }) => services.members.heartbeat(user, course),
  rest: { method: "post", path: "/courses/:roomnum/heartbeat", status: 204, input: roomnumInPath },
});
