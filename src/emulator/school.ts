import { Webhook } from "standardwebhooks";
import type { EmulatorReply } from "./http";

/**
 * The school's side, in development: a receiver of the server's webhooks, as a school's LMS
 * would be (not Tencent's, but the same stand-in for the world outside the server). It verifies
 * each delivery with the standardwebhooks library and the development secret, keeps what it
 * got, and shows it at GET /__school/webhooks (the demo prints it).
 */

export const SCHOOL_WEBHOOKS_PATH = "/__school/webhooks";

export interface SchoolEvent {
  id: string;
  type: string;
  roomnum: number | null;
  timestamp: string;
  data: unknown;
}

export class SchoolReceiver {
  readonly events: SchoolEvent[] = [];
  refused = 0;

  constructor(private readonly secret: string | undefined) {}

  handle(method: string, headers: Record<string, string | undefined>, body: string): EmulatorReply {
    if (method === "GET") return { kind: "json", body: { events: this.events, refused: this.refused } };
    if (method !== "POST" || this.secret === undefined) return { kind: "json", status: 405, body: { error: "POST a signed webhook" } };
    try {
      const event = new Webhook(this.secret).verify(body, headers as Record<string, string>) as SchoolEvent;
      // At least once: a delivery sent again is the same event.
      if (!this.events.some((e) => e.id === event.id)) this.events.push({ id: event.id, type: event.type, roomnum: event.roomnum, timestamp: event.timestamp, data: event.data });
      return { kind: "json", status: 200, body: { ok: true } };
    } catch {
      this.refused += 1;
      return { kind: "json", status: 401, body: { error: "signature refused" } };
    }
  }
}
