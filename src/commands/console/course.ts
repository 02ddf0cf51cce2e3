import { z } from "zod";
import { FieldText } from "../../errors";
import { unixSeconds } from "../../services/domain";
import { operatorOfApp } from "../access";
import { defineCommand } from "../command";
import { int } from "../fields";
import { BoundFileShape, LiveUrlShape, presentBoundFile, presentLiveUrls, presentVideo, VideoShape } from "../live/presenters";
import { fixed, fromBody, fromQuery, roomnumInPath } from "../rest-mapping";
import { strOneOf } from "../fields";
import { consoleAppInput } from "./live";

/** The app named in the body of a change, or in its query. */
const appidOfChange = { appid: [fromBody("appid"), fromQuery("appid")] };

const roomnum = int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.listInvalid });

const CoursePageShape = z.object({
  roomnum: z.int(),
  title: z.string(),
  host_uid: z.string(),
  state: z.int(),
  created_time: z.int(),
  begin_time: z.int(),
  end_time: z.int(),
  end_reason: z.string().meta({ description: 'teacher, timeout (the reaper), operator; "" before the end' }),
  begin_imseq: z.int(),
  end_imseq: z.int(),
  replay_idx_status: z.string(),
  replay_idx_attempts: z.int(),
  replay_idx_error: z.string(),
  replay_idx_url: z.string(),
  host_last_beat: z.int(),
  recording: z.union([z.literal(0), z.literal(1)]),
  live_urls: z.array(LiveUrlShape),
  present: z.array(z.string()),
  stays: z.array(z.object({ uid: z.string(), role: z.int(), join_time: z.int(), leave_time: z.int(), leave_reason: z.string() })),
  videos: z.array(VideoShape),
  bindings: z.array(BoundFileShape),
  timeline: z.array(z.object({ time: z.int(), event: z.string(), detail: z.string() })),
});

/** One course's page: its state and times, its replay index, every stay, who is present now. */
export const consoleCourseCommand = defineCommand({
  name: "console.course",
  dialect: "rest",
  summary: "one course of the app: state and times, end reason, IM range, replay index (status, attempts, error), recording and relay, members present, every stay",
  auth: "console",
  access: operatorOfApp,
  input: z.object({ ...consoleAppInput, roomnum }),
  run: ({ course: { app }, services }, input) => services.console.coursePage(app, input.roomnum),
  output: CoursePageShape,
  present: ({ course, stays, present, relay, hostLastBeatMs, videos, bindings, timeline }) => ({
    roomnum: course.roomnum,
    title: course.title,
    host_uid: course.hostUid,
    state: course.state,
    created_time: unixSeconds(course.createdAt),
    begin_time: unixSeconds(course.startedAt),
    end_time: unixSeconds(course.endedAt),
    end_reason: course.endReason ?? "",
    begin_imseq: course.startImSeq,
    end_imseq: course.endImSeq,
    replay_idx_status: course.replayIndexStatus ?? "",
    replay_idx_attempts: course.replayIndexAttempts,
    replay_idx_error: course.replayIndexError,
    replay_idx_url: course.replayIndexUrl,
    host_last_beat: hostLastBeatMs ?? 0,
    recording: relay.recording ? (1 as const) : (0 as const),
    live_urls: presentLiveUrls(relay.liveUrls),
    present,
    stays: stays.map((s) => ({ uid: s.uid, role: s.role, join_time: unixSeconds(s.joinedAt), leave_time: unixSeconds(s.leftAt), leave_reason: s.leaveReason ?? "" })),
    videos: videos.map(presentVideo),
    bindings: bindings.map(presentBoundFile),
    timeline: timeline.map((e) => ({ time: unixSeconds(e.at), event: e.event, detail: e.detail })),
  }),
  rest: { method: "get", path: "/console/courses/:roomnum", input: { ...roomnumInPath, appid: fromQuery("appid") } },
});

/** An operator ends a living class, as its teacher would (reason "operator"; logged with the operator's id). */
export const consoleEndCommand = defineCommand({
  name: "console.end",
  dialect: "rest",
  summary: "an operator ends a living class of the app, as its teacher's `exitroom` would (end reason `operator`)",
  auth: "console",
  access: operatorOfApp,
  input: z.object({ ...consoleAppInput, roomnum }),
  run: ({ course: { app, operator }, services }, input) => services.console.endClass(app, input.roomnum, operator),
  rest: { method: "post", path: "/console/courses/:roomnum/end", input: { ...roomnumInPath, ...appidOfChange } },
});

/** An operator asks for the replay index again: as the owner's `makereplayidx` (once due, or after a failure). */
export const consoleReplayIndexCommand = defineCommand({
  name: "console.replay-index",
  dialect: "rest",
  summary: "an operator asks for an ended class's replay index again, as its owner's `makereplayidx` would",
  auth: "console",
  access: operatorOfApp,
  input: z.object({ ...consoleAppInput, roomnum }),
  run: ({ course: { app, operator }, services }, input) => services.console.askReplayIndex(app, input.roomnum, operator),
  rest: { method: "post", path: "/console/courses/:roomnum/replay-index", input: { ...roomnumInPath, ...appidOfChange } },
});

/** An operator stops a class's server-side recording or relay push (the teacher's stream). */
export const consoleStopRelayCommand = defineCommand({
  name: "console.stop-relay",
  dialect: "rest",
  summary: "an operator stops a class's server-side recording or relay push, as its teacher's `stoprecord` / `stoppush` would",
  auth: "console",
  access: operatorOfApp,
  input: z.object({ ...consoleAppInput, roomnum, what: strOneOf({ invalid: "what must be recording or push" }, ["recording", "push"] as const) }),
  run: ({ course: { app, operator }, services }, input) => services.console.stopRelay(app, input.roomnum, input.what, operator),
  rest: [
    { method: "post", path: "/console/courses/:roomnum/recording/stop", input: { ...roomnumInPath, ...appidOfChange, what: fixed("recording") } },
    { method: "post", path: "/console/courses/:roomnum/push/stop", input: { ...roomnumInPath, ...appidOfChange, what: fixed("push") } },
  ],
});
