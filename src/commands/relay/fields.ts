import { z } from "zod";
import { Errors, FieldText } from "../../errors";
import { courseOwner } from "../access";
import { int, optionalOneOf } from "../fields";
import { fromBody, roomnumInPath } from "../rest-mapping";

/** What the relay commands take: the class, and which of the teacher's streams (`type` 0 camera, the default, or 1 the shared screen). */
export const relayInput = z.object({
  roomnum: int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.invalidSpaced }),
  type: optionalOneOf(FieldText.type, [0, 1] as const),
});

/** Only the teacher who owns the class records or pushes it. */
export const relayOwner = courseOwner(Errors.onlyOwnerRelays);

/** The REST input of a relay route: the class from the path, the stream from the body. */
export const relayRestInput = { ...roomnumInPath, type: fromBody("type") };
