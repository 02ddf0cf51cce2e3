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
  mode: z.enum(["class", "live"]).meta({ description: "a classroom class (live: a 随心播 live room, not sent yet)" }),
  title: z.string(),
  host_uid: z.string(),
};

/** Each event's `data`. */
export const WEBHOOK_EVENTS = {
  "course.started": z.object({ ...courseData, begin_time: unixSeconds, begin_imseq: z.int() }).meta({ description: "a class started (startcourse)" }),
  "course.ended": z
    .object({ ...courseData, end_time: unixSeconds, end_imseq: z.int(), reason: z.enum(["teacher", "reaper", "operator"]) })
    .meta({ description: "a class ended: by its teacher (exitroom), by the reaper (its teacher silent too long), or by an operator from the console" }),
  "member.joined": z.object({ roomnum: z.int(), uid: z.string(), role: z.int().meta({ description: "1 teacher (host), 0 student (viewer)" }), join_time: unixSeconds }).meta({ description: "a member entered (a stay opened: a rejoin after a drop is a new stay)" }),
  "member.left": z
    .object({ roomnum: z.int(), uid: z.string(), leave_time: unixSeconds, reason: z.enum(["left", "timeout"]) })
    .meta({ description: "a member left (reportmemid) or was dropped by the reaper for silence (timeout); the class's end closes every stay without one event each (course.ended says it)" }),
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
