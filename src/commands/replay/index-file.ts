import { z } from "zod";
import { FieldText } from "../../errors";
import { replayIndexLink } from "../access";
import { defineCommand } from "../command";
import { int } from "../fields";
import { ManifestShape, presentManifest } from "../live/presenters";
import { fromQuery, roomnumInPath } from "../rest-mapping";

/** REST path of a class's built-in replay index (its URL is handed out as the course's `playback_idx_url`). */
export const REPLAY_INDEX_PATH = "/courses/:roomnum/replay-index";

/** The built-in replay index, when no external index service is configured: a JSON manifest a replay player pulls. */
export const replayIndexFileCommand = defineCommand({
  name: "courses.replay_index",
  dialect: "rest",
  summary: "the class's built-in replay index: IM range, videos with their timing, attendees with join/leave times",
  auth: "signed",
  access: replayIndexLink,
  input: z.object({ roomnum: int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.listInvalid }), sig: z.unknown() }),
  run: ({ course, services }) => services.replayIndex.manifestOf(course),
  output: ManifestShape,
  present: presentManifest,
  rest: { method: "get", path: REPLAY_INDEX_PATH, input: { ...roomnumInPath, sig: fromQuery("sig") } },
});
