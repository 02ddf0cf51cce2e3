import { z } from "zod";
import { unixSeconds } from "../../services/domain";
import { operatorOfApp } from "../access";
import { defineCommand } from "../command";
import { fromQuery } from "../rest-mapping";
import { consoleAppInput } from "./live";

/** How many of the latest deliveries the console shows. */
const SHOWN = 200;

const DeliveriesShape = z.object({
  deliveries: z.array(
    z.object({
      event_id: z.string(),
      type: z.string(),
      roomnum: z.int().meta({ description: "0 for an event of no course" }),
      occurred_at: z.int(),
      endpoint: z.string(),
      status: z.enum(["pending", "delivered", "failed"]),
      attempts: z.int(),
      last_status: z.int().meta({ description: "the receiver's last HTTP status; 0 without an answer" }),
      last_error: z.string(),
      delivered_at: z.int(),
    }),
  ),
});

/** The app's latest webhook deliveries and their attempts (what the school's systems were sent). */
export const consoleWebhooksCommand = defineCommand({
  name: "console.webhooks",
  dialect: "rest",
  summary: "the app's latest 200 webhook deliveries, newest first: event, endpoint, status, attempts, the last answer or error",
  auth: "console",
  access: operatorOfApp,
  input: z.object(consoleAppInput),
  run: ({ course: { app }, services }) => services.webhooks.latest(app.sdkAppId, SHOWN),
  output: DeliveriesShape,
  present: (rows) => ({
    deliveries: rows.map((d) => ({
      event_id: d.eventId,
      type: d.event.type,
      roomnum: d.event.roomnum ?? 0,
      occurred_at: unixSeconds(d.event.occurredAt),
      endpoint: d.endpoint,
      status: d.status as "pending" | "delivered" | "failed",
      attempts: d.attempts,
      last_status: d.lastStatus ?? 0,
      last_error: d.lastError,
      delivered_at: unixSeconds(d.deliveredAt),
    })),
  }),
  rest: { method: "get", path: "/console/webhooks", input: { appid: fromQuery("appid") } },
});
