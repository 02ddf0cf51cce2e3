import { z } from "zod";
import { FieldText } from "../../errors";
import { unixSeconds } from "../../services/domain";
import { operatorOfApp } from "../access";
import { defineCommand } from "../command";
import { int } from "../fields";
import { presentLiveUrls, LiveUrlShape } from "../live/presenters";
import { fromQuery } from "../rest-mapping";

/** The app a console request looks at: `appid`, one of the operator's apps. */
export const consoleAppInput = { appid: int({ lack: FieldText.appid.lack, invalid: FieldText.appid.invalidCmd }) };

const LiveNowShape = z.object({
  at: z.int().meta({ description: "when this was read, unix ms" }),
  rooms: z.array(
    z.object({
      roomnum: z.int(),
      mode: z.enum(["class", "live"]),
      title: z.string(),
      host_uid: z.string(),
      begin_time: z.int(),
      present: z.int(),
      host_last_beat: z.int().meta({ description: "unix ms; 0 unknown" }),
      reaper_ends_at: z.int().meta({ description: "unix ms when the reaper ends it if the teacher stays silent; 0 unknown" }),
      recording: z.union([z.literal(0), z.literal(1)]),
      live_urls: z.array(LiveUrlShape),
    }),
  ),
});

/** "Live now": every living class and live room of the app, with who is in it. */
export const consoleLiveCommand = defineCommand({
  name: "console.live",
  dialect: "rest",
  summary: "the app's living classes and live rooms: teacher, title, start, members present, the teacher's last beat, when the reaper would end it, recording and relay",
  auth: "console",
  access: operatorOfApp,
  input: z.object(consoleAppInput),
  run: async ({ course: { app }, services }) => ({ at: Date.now(), rooms: await services.console.liveNow(app) }),
  output: LiveNowShape,
  present: ({ at, rooms }) => ({
    at,
    rooms: rooms.map((room) => ({
      roomnum: room.roomnum,
      mode: room.mode === "live" ? ("live" as const) : ("class" as const),
      title: room.title,
      host_uid: room.hostUid,
      begin_time: unixSeconds(room.startedAt),
      present: room.present,
      host_last_beat: room.hostLastBeatMs ?? 0,
      reaper_ends_at: room.reaperEndsAtMs ?? 0,
      recording: room.relay.recording ? (1 as const) : (0 as const),
      live_urls: presentLiveUrls(room.relay.liveUrls),
    })),
  }),
  rest: { method: "get", path: "/console/live", input: { appid: fromQuery("appid") } },
});
