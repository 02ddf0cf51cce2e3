import { z } from "zod";
import { WEBHOOK_EVENTS, WEBHOOK_EVENT_TYPES } from "./events";

/** docs/webhooks.md's list of events, rendered from their declared schemas (test/api-docs.test.ts keeps it in step). */
export function webhookEventsSection(): string {
  return WEBHOOK_EVENT_TYPES.map((type) => {
    const schema = z.toJSONSchema(WEBHOOK_EVENTS[type]) as { description?: string; properties: Record<string, { type?: string; enum?: unknown[]; description?: string }>; required?: string[] };
    const rows = Object.entries(schema.properties).map(([name, field]) => {
      const kind = field.enum ? field.enum.map((v) => `\`${String(v)}\``).join(" / ") : (field.type ?? "any");
      return `| \`${name}\` | ${kind} | ${field.description ?? ""} |`;
    });
    return [`### \`${type}\``, "", schema.description ?? "", "", "| field of `data` | type | meaning |", "| --- | --- | --- |", ...rows].join("\n");
  }).join("\n\n");
}
