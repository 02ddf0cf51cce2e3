import { z } from "zod";
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "./events";

/**
 * The WEBHOOKS configuration's shape (src/config.ts reads the key): the school's endpoints, and
 * development's default, the emulator's stand-in for the school's receiver.
 */

/** WEBHOOKS: the school's endpoints, each for one app, with its Standard Webhooks secret and the events it wants (all when not said). */
export const webhooksSchema = z.array(
  z.object({
    name: z.string().regex(/^[\w.-]{1,40}$/, "a name of 1 to 40 letters, digits, . _ -"),
    appid: z.number().int().positive(),
    url: z.url({ protocol: /^https?$/ }),
    secret: z.string().regex(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, "whsec_ and base64 of 24 bytes or more (Standard Webhooks)"),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES as [WebhookEventType, ...WebhookEventType[]])).min(1).optional(),
  }),
).refine((list) => new Set(list.map((w) => w.name)).size === list.length, "each endpoint needs a name of its own");

/** The development webhook secret: the emulator's school receiver verifies with it (never a production value: WEBHOOKS is unset there by default). */
export const DEV_WEBHOOK_SECRET = `whsec_${Buffer.from("sxb-edu development webhooks secret").toString("base64")}`;

/** In development with the emulator and no WEBHOOKS: every app's events go to the school's receiver in the emulator (the demo prints them). */
export function developmentWebhooks(apps: ReadonlyArray<{ sdkAppId: number }>, emulatorPort: number): WebhookEndpoint[] {
  return apps.map((app) => ({ name: `school-${app.sdkAppId}`, appid: app.sdkAppId, url: `http://127.0.0.1:${emulatorPort}/__school/webhooks`, secret: DEV_WEBHOOK_SECRET }));
}

export type WebhookEndpoint = z.output<typeof webhooksSchema>[number];
