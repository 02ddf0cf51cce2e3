import { z } from "zod";
import { defineCommand } from "../command";
import { PlayUrlsShape, presentPlayUrls } from "../live/presenters";
import { relayInput, relayOwner, relayRestInput } from "./fields";

export const startPushCommand = defineCommand({
  name: "live.startpush",
  dialect: "classroom",
  summary: "relays the living class's teacher stream to CDN (videorelay 0x6) → `channel_id`, `live_urls`, `address` / `address2` / `address3` (RTMP, FLV, HLS)",
  auth: "token",
  access: relayOwner,
  input: relayInput,
  run: ({ app, course, services }, input) => services.relay.startPush(app, course, input.type ?? 0),
  output: z.object({ channel_id: z.string(), ...PlayUrlsShape.shape }),
  present: (push) => ({ channel_id: push.channelId, ...presentPlayUrls(push.liveUrls) }),
  rest: { method: "post", path: "/courses/:roomnum/push", status: 201, input: relayRestInput },
});
