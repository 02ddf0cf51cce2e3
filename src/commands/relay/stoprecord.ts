import { z } from "zod";
import { defineCommand } from "../command";
import { relayInput, relayOwner, relayRestInput } from "./fields";

export const stopRecordCommand = defineCommand({
  name: "live.stoprecord",
  dialect: "classroom",
  summary: "stops the recording → `file_ids` (Tencent's, kept with the recording and matched with their recording callbacks)",
  auth: "token",
  access: relayOwner,
  input: relayInput,
  run: ({ app, course, services }, input) => services.relay.stopRecording(app, course, input.type ?? 0),
  output: z.object({ file_ids: z.array(z.string()) }),
  present: (stopped) => ({ file_ids: stopped.fileIds }),
  rest: { method: "delete", path: "/courses/:roomnum/recording", input: relayRestInput },
});
