import { z } from "zod";
import { FieldText } from "../../errors";
import { INT32_MAX, MAX_UNIX_SECONDS } from "../../services/domain";
import { type LiveEvent, LiveEventType } from "../../services/recordings";
import { tencentLiveCallback } from "../access";
import { defineCommand } from "../command";
import { inOrderWhen, int, optionalStr, str } from "../fields";

/** Bytes and media timestamps beyond 32 bits (a file over 2 GB): stored as int8. */
const WIDE = { min: 0, max: Number.MAX_SAFE_INTEGER };
/** Unix seconds up to the last one a JavaScript date holds (PostgreSQL's timestamps reach further). */
const INSTANT = { min: 0, max: MAX_UNIX_SECONDS };
/** Stored as int4: more can never be stored, so it is refused (a retry cannot help), never a 500. */
const INT4 = { min: 0, max: INT32_MAX };

/** Fields of every live event, in the original's check order (protocol.md §9). */
const eventFields = z.object({
  event_type: int(FieldText.eventType, { min: 0 }),
  stream_id: str(FieldText.streamId, { maxLength: 256 }),
});

/** Fields of a recording file (event 100). */
const fileFields = z.object({
  start_time: int(FieldText.startTime, INSTANT),
  end_time: int(FieldText.endTime, INSTANT),
  media_start_time: int(FieldText.mediaStartTime, WIDE),
  file_size: int(FieldText.fileSize, WIDE),
  duration: int(FieldText.duration, INT4),
  video_id: str(FieldText.videoId, { nonEmpty: true, maxLength: 128 }),
  video_url: str(FieldText.videoUrl, { nonEmpty: true, maxLength: 2048 }),
  file_id: optionalStr(FieldText.fileId, { maxLength: 128 }),
  file_format: optionalStr(FieldText.fileFormat, { maxLength: 16 }),
  stream_param: optionalStr(FieldText.streamParam, { maxLength: 4096 }),
});

/** Tencent's live event payload: the event's fields, then a recording file's when it is one (event 100). */
export const recordingEventInput = inOrderWhen(eventFields, fileFields, (event) => event.event_type === LiveEventType.recordingFile);

/** The event as the recordings service takes it (inOrderWhen validated every file field when the event is a recording file). */
export function recordingEventOf(input: z.output<typeof recordingEventInput>): LiveEvent {
  return {
    eventType: input.event_type,
    streamId: input.stream_id,
    file:
      input.event_type === LiveEventType.recordingFile
        ? {
            streamId: input.stream_id,
            fileId: input.file_id,
            videoId: input.video_id!,
            videoUrl: input.video_url!,
            fileFormat: input.file_format,
            startTime: input.start_time!,
            endTime: input.end_time!,
            mediaStartTime: input.media_start_time!,
            fileSize: input.file_size!,
            duration: input.duration!,
            streamParam: input.stream_param,
          }
        : undefined,
  };
}

export const recordingCallbackCommand = defineCommand({
  name: "live.reccall",
  aliases: ["live.recendcall"],
  dialect: "classroom",
  envelope: "liveCallback",
  summary:
    "Tencent's recording callback (also `live.recendcall`): event 100 stores the video (once per file) and posts IM marker 1004; 0/1 (stream end/start) are logged; answers `{code}`",
  auth: "signed",
  access: tencentLiveCallback,
  input: recordingEventInput,
  run: ({ services }, input) => services.recordings.onEvent(recordingEventOf(input)),
  rest: { method: "post", path: "/callbacks/recording", input: {}, bodyIsInput: true },
});
