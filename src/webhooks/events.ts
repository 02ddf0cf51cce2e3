import { z } from "zod";

/**
 * The class events sent to the school's systems, each declared once: its type, and the
 * schema of its `data`. docs/webhooks.md is rendered from these (scripts/docs.ts), and the
 * tests check every event sent against them.
 */

/** The version of every payload's shape; a change that breaks a receiver makes a new one. */
export const WEBHOOK_EVENT_VERSION = 1;

const unixSeconds = z.int().min(0).meta({ description: "unix seconds" });

const courseData = {
  roomnum: z.int(),
  mode: z.enum(["class", "live"]).meta({ description: "a classroom class, or a 随心播 live room" }),
  title: z.string(),
  host_uid: z.string(),
};

const videoData = z.object({
  file_id: z.string(),
  video_url: z.string(),
  uid: z.string().meta({ description: "who pushed the stream" }),
  start_time: unixSeconds,
  end_time: unixSeconds,
  duration: z.number().meta({ description: "seconds" }),
  file_size: z.number().meta({ description: "bytes" }),
});

/** Each event's `data`. */
export const WEBHOOK_EVENTS = {
  "course.created": z.object({ ...courseData, create_time: unixSeconds }).meta({ description: "a class was created (live.create; it starts with startcourse)" }),
  "course.started": z
    .object({ ...courseData, begin_time: unixSeconds, begin_imseq: z.int().meta({ description: "0 for a live room (no class markers)" }) })
    .meta({ description: "a class started (startcourse), or a 随心播 live room opened (the live dialect's create)" }),
  "course.ended": z
    .object({ ...courseData, end_time: unixSeconds, end_imseq: z.int(), reason: z.enum(["teacher", "reaper", "operator"]) })
    .meta({ description: "a class or live room ended: by its teacher or host (exitroom, or a new live room of theirs), by the reaper (its teacher silent too long), or by an operator from the console" }),
  "member.joined": z.object({ roomnum: z.int(), uid: z.string(), role: z.int().meta({ description: "1 teacher, 0 student; live rooms: 1 host, 0 viewer" }), join_time: unixSeconds }).meta({ description: "a member entered (a stay opened: a rejoin after a drop is a new stay)" }),
  "member.left": z
    .object({ roomnum: z.int(), uid: z.string(), leave_time: unixSeconds, reason: z.enum(["left", "timeout"]) })
    .meta({ description: "a member left or was dropped by the reaper for silence (timeout); the end closes every stay without one event each (course.ended and attendance.ready say it)" }),
  "recording.stored": videoData.extend({ roomnum: z.int(), video_id: z.string() }).meta({ description: "Tencent's recording callback delivered a new video file of the class (each file once)" }),
  "replay.ready": z
    .object({ roomnum: z.int(), title: z.string(), index_url: z.string(), begin_imseq: z.int(), end_imseq: z.int(), videos: z.array(videoData) })
    .meta({ description: "the class's replay index is built: it is replayable (its chat is the IM group's messages from begin_imseq to end_imseq)" }),
  "replay.failed": z
    .object({ roomnum: z.int(), attempts: z.int(), error: z.string() })
    .meta({ description: "the replay index could not be built after every attempt (REPLAY_INDEX_ATTEMPTS); an operator may ask again" }),
  "attendance.ready": z
    .object({
      roomnum: z.int(),
      members: z.array(
        z.object({
          uid: z.string(),
          role: z.int(),
          minutes: z.number().meta({ description: "minutes present, stays merged where they overlap, to a tenth" }),
          first_join: unixSeconds,
          last_leave: unixSeconds,
          stays: z.int(),
        }),
      ),
    })
    .meta({ description: "a class ended: each member's attendance (sent right after course.ended)" }),
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_EVENTS;
export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENTS) as WebhookEventType[];
export type WebhookEventData<T extends WebhookEventType> = z.input<(typeof WEBHOOK_EVENTS)[T]>;

/** An event about to be recorded: what happened, in which app and course, when. */
export interface NewWebhookEvent<T extends WebhookEventType = WebhookEventType> {
  type: T;
  appid: number;
  roomnum: number | undefined;
  occurredAt: Date;
  data: WebhookEventData<T>;
}

/** The body a receiver gets (the Standard Webhooks convention: type, timestamp, data; with our id, version, app and course). */
export function payloadOf(id: string, event: NewWebhookEvent): Record<string, unknown> {
  return { id, type: event.type, version: WEBHOOK_EVENT_VERSION, timestamp: event.occurredAt.toISOString(), appid: event.appid, roomnum: event.roomnum ?? null, data: event.data };
}
