import { z } from "zod";
import { FieldText } from "../../errors";
import { anyUserOfCourse } from "../access";
import { defineCommand } from "../command";
import { int } from "../fields";
import { AddressesShape, presentAddresses } from "../live/presenters";
import { roomnumInPath } from "../rest-mapping";

/** Where students beyond the interactive room watch a class by CDN (empty while it is not relayed). */
export const roomPlayUrlCommand = defineCommand({
  name: "live.getroomplayurl",
  dialect: "classroom",
  summary: "the class's CDN play URLs while it is relayed: `cover`, `address` / `address2` / `address3` (RTMP, FLV, HLS; empty when not pushing)",
  auth: "token",
  access: anyUserOfCourse,
  input: z.object({ roomnum: int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.invalid }) }),
  run: async ({ course, services }) => ({ cover: course.cover, state: await services.relay.stateOfOne(course.roomnum) }),
  output: z.object({ cover: z.string(), ...AddressesShape.shape }),
  present: ({ cover, state }) => ({ cover, ...presentAddresses(state.liveUrls) }),
  rest: { method: "get", path: "/courses/:roomnum/play-urls", input: roomnumInPath },
});
