import { z } from "zod";
import { Errors, FieldText } from "../../errors";
import { courseOwner } from "../access";
import { defineCommand } from "../command";
import { int } from "../fields";
import { roomnumInPath } from "../rest-mapping";

/** The owner asks for the replay index now (FIX S5: the original took no token). The scheduler asks by itself once it is due. */
export const makeReplayIndexCommand = defineCommand({
  name: "live.makereplayidx",
  dialect: "classroom",
  summary: "asks for the ended class's replay index now (due, or after a failure); the server also does by itself once due",
  auth: "token",
  access: courseOwner(Errors.onlyOwnerMakesReplayIndex),
  input: z.object({ roomnum: int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.invalidSpaced }) }),
  run: ({ course, services }) => services.replayIndex.makeNow(course),
  rest: { method: "post", path: "/courses/:roomnum/replay-index", input: roomnumInPath },
});
