import { z } from "zod";
import { defineCommand } from "../command";
import { relayInput, relayOwner, relayRestInput } from "./fields";

export const startRecordCommand = defineCommand({
  name: "live.startrecord",
  dialect: "classroom",
  summary: "records the living class's teacher stream on Tencent's side (videorelay 0x5); `type` 0 camera / 1 screen → `file_name`",
  auth: "token",
  access: relayOwner,
  input: relayInput,
  run: ({ app, course, services }, input) => services.relay.startRecording(app, course, input.type ?? 0),
  output: z.object({ file_name: z.string() }),
  present: (started) => ({ file_name: started.fileName }),
  rest: { method: "post", path: "/courses/:roomnum/recording", status: 201, input: relayRestInput },
});
