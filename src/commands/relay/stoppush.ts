import { defineCommand } from "../command";
import { relayInput, relayOwner, relayRestInput } from "./fields";

export const stopPushCommand = defineCommand({
  name: "live.stoppush",
  dialect: "classroom",
  summary: "stops the relay push",
  auth: "token",
  access: relayOwner,
  input: relayInput,
  run: ({ app, course, services }, input) => services.relay.stopPush(app, course, input.type ?? 0),
  rest: { method: "delete", path: "/courses/:roomnum/push", status: 204, input: relayRestInput },
});
