import { randomBytes } from "node:crypto";
import type { Config, WebhookEndpoint } from "../config";
import type { Db, Tx } from "../infra/db/prisma";
import { type NewWebhookEvent, payloadOf } from "./events";

/**
 * The webhooks' transactional outbox: an event is written in the transaction of the change it
 * reports (so none is lost and none is sent for a change that did not happen), with one
 * delivery per endpoint of its app that wants it. An app with no endpoint writes nothing.
 * Writers hold the course's row lock (every change of a course does), so one course's events
 * are numbered in the order they happened.
 */
export class WebhookOutbox {
  constructor(private readonly deps: { config: Config }) {}

  /** The endpoints that want this event. */
  private endpointsFor(appid: number, type: string): WebhookEndpoint[] {
    return this.deps.config.webhooks.endpoints.filter((e) => e.appid === appid && (e.events === undefined || (e.events as readonly string[]).includes(type)));
  }

  /** Whether any endpoint is configured at all (without one, writers skip the work events need). */
  listensToAny(): boolean {
    return this.deps.config.webhooks.endpoints.length > 0;
  }

  /**
   * Makes a change and records the events it reports in one transaction, under the course's row
   * lock (so one course's events keep their order); without any endpoint, just the change, with
   * no transaction. `change` returns its result and its events (none when nothing changed).
   */
  async withEvents<T>(db: Db, roomnum: number | undefined, change: (tx: Tx | Db) => Promise<{ result: T; events: readonly NewWebhookEvent[] }>): Promise<T> {
    if (!this.listensToAny()) return (await change(db)).result;
    return db.$transaction(async (tx) => {
      if (roomnum !== undefined) await tx.course.updateMany({ where: { roomnum }, data: { memberVersion: { increment: 1 } } });
      const { result, events } = await change(tx);
      await this.record(tx, events);
      return result;
    });
  }

  /** Writes the events (and their deliveries) with `tx`, inside the caller's transaction. */
  async record(tx: Tx | Db, events: readonly NewWebhookEvent[]): Promise<void> {
    const rows: Array<{ id: string; appid: number; roomnum: number | null; type: string; payload: object; occurredAt: Date }> = [];
    const deliveries: Array<{ eventId: string; endpoint: string; orderKey: string; nextAttemptAt: Date }> = [];
    for (const event of events) {
      const endpoints = this.endpointsFor(event.appid, event.type);
      if (endpoints.length === 0) continue;
      const id = `evt_${randomBytes(16).toString("hex")}`;
      rows.push({ id, appid: event.appid, roomnum: event.roomnum ?? null, type: event.type, payload: payloadOf(id, event), occurredAt: event.occurredAt });
      for (const endpoint of endpoints) deliveries.push({ eventId: id, endpoint: endpoint.name, orderKey: `${endpoint.name}:${event.roomnum ?? "app"}`, nextAttemptAt: event.occurredAt });
    }
    if (rows.length === 0) return;
    await tx.webhookEvent.createMany({ data: rows });
    await tx.webhookDelivery.createMany({ data: deliveries });
  }
}
