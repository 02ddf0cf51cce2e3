import { Webhook } from "standardwebhooks";
import type { Config, WebhookEndpoint } from "../config";
import type { Db } from "../infra/db/prisma";
import type { Logger } from "../logger";
import { postWebhook, type SendOutcome } from "./sender";

/**
 * Delivers the outbox's events: every instance's worker claims due deliveries by a lease (one
 * conditional write, so two instances never send the same attempt), only the oldest pending
 * one of each endpoint and course (so a class's events arrive in order), signs each as the
 * Standard Webhooks specification says (its library: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature`), and records the outcome: delivered on a 2xx, else retried with
 * exponential backoff until WEBHOOK_RETRY_FOR_S after the event, then failed. An instance that
 * dies mid-delivery leaves its lease to run out: another sends it again (at least once; receivers
 * de-duplicate by `webhook-id`).
 */

/** Deliveries claimed per run (each run sends them at once). */
const CLAIM_BATCH = 50;
/** Events deleted per statement, and statements per pruning run at most (the next run goes on). */
const PRUNE_BATCH = 1000;
const PRUNE_BATCHES_PER_RUN = 100;
/** Retries wait WEBHOOK_FIRST_RETRY_MS, then twice as long each time, up to an hour. */
const LONGEST_RETRY_MS = 3600_000;

interface Claimed {
  id: number;
  eventId: string;
  endpoint: string;
  attempts: number;
}

export interface DeliveryRun {
  delivered: number;
  retried: number;
  failed: number;
}

export const retryDelayMs = (firstMs: number, attempts: number): number => Math.min(firstMs * 2 ** Math.max(0, attempts - 1), LONGEST_RETRY_MS);

export class WebhookDeliverer {
  constructor(private readonly deps: { config: Config; db: Db; log: Logger }) {}

  /** One run: claims what is due, sends it, records each outcome. */
  async deliverDue(): Promise<DeliveryRun> {
    const claimed = await this.claim();
    const run: DeliveryRun = { delivered: 0, retried: 0, failed: 0 };
    if (claimed.length === 0) return run;
    const events = await this.deps.db.webhookEvent.findMany({ where: { id: { in: claimed.map((c) => c.eventId) } } });
    const byId = new Map(events.map((e) => [e.id, e]));
    await Promise.all(
      claimed.map(async (delivery) => {
        const event = byId.get(delivery.eventId)!;
        const endpoint = this.deps.config.webhooks.endpoints.find((e) => e.name === delivery.endpoint);
        const outcome = endpoint ? await this.send(endpoint, event.id, JSON.stringify(event.payload)) : { ok: false, error: "the endpoint is no longer configured" };
        run[await this.settle(delivery, event.occurredAt, outcome, endpoint === undefined)] += 1;
      }),
    );
    if (run.retried + run.failed > 0) this.deps.log.warn({ ...run }, "webhook deliveries failed");
    return run;
  }

  /**
   * Sends again what a receiver missed: every delivery of the events since `since` (of one
   * endpoint, or all), delivered or given up, becomes pending again at once. Receivers see the
   * same event ids (and de-duplicate); order per course holds as before. Returns how many.
   */
  async replaySince(since: Date, endpoint?: string): Promise<number> {
    const { count } = await this.deps.db.webhookDelivery.updateMany({
      where: { status: { in: ["delivered", "failed"] }, event: { occurredAt: { gte: since } }, ...(endpoint ? { endpoint } : {}) },
      data: { status: "pending", attempts: 0, nextAttemptAt: new Date(), leaseUntil: null, lastError: "", deliveredAt: null },
    });
    return count;
  }

  /**
   * Deletes the events older than WEBHOOK_KEEP_DAYS whose deliveries are all settled (delivered
   * or given up), with their deliveries; a pending one is never deleted, however old (one made
   * pending again meanwhile, by a replay, keeps its event: the key refuses the event's delete). In batches
   * (short statements; several instances pruning at once delete each row once). Returns how many events.
   */
  async pruneSettled(): Promise<number> {
    const keepMs = this.deps.config.webhooks.keepDays * 86_400_000;
    let pruned = 0;
    for (let batch = 0; batch < PRUNE_BATCHES_PER_RUN; batch++) {
      const deleted = await this.deps.db.$executeRaw`
        WITH old AS (
          SELECT e.id FROM "WebhookEvent" e
          WHERE e."occurredAt" < now() - ${keepMs} * interval '1 millisecond'
            AND NOT EXISTS (SELECT 1 FROM "WebhookDelivery" d WHERE d."eventId" = e.id AND d.status = 'pending')
          ORDER BY e."occurredAt" LIMIT ${PRUNE_BATCH}
          FOR UPDATE SKIP LOCKED
        ), deliveries AS (
          DELETE FROM "WebhookDelivery" d USING old WHERE d."eventId" = old.id AND d.status <> 'pending'
        )
        DELETE FROM "WebhookEvent" e USING old WHERE e.id = old.id`;
      pruned += deleted;
      if (deleted < PRUNE_BATCH) break;
    }
    return pruned;
  }

  /** The app's latest deliveries, newest first, with their event (the console's view). */
  latest(appid: number, limit: number) {
    return this.deps.db.webhookDelivery.findMany({
      where: { event: { appid } },
      orderBy: { id: "desc" },
      take: limit,
      include: { event: { select: { type: true, roomnum: true, occurredAt: true } } },
    });
  }

  /** The oldest pending delivery of each endpoint and course, when due and not held by another worker, leased to this one. */
  private claim(): Promise<Claimed[]> {
    // A call ends within its timeout: a lease twice as long (and a second) outlives any call, and soon frees one an instance died with.
    const leaseMs = this.deps.config.webhooks.timeoutMs * 2 + 1000;
    return this.deps.db.$queryRaw<Claimed[]>`
      WITH heads AS (
        SELECT DISTINCT ON ("orderKey") id, "nextAttemptAt", "leaseUntil"
        FROM "WebhookDelivery" WHERE status = 'pending' ORDER BY "orderKey", id
      ), due AS (
        SELECT id FROM heads WHERE "nextAttemptAt" <= now() AND ("leaseUntil" IS NULL OR "leaseUntil" < now()) LIMIT ${CLAIM_BATCH}
      )
      UPDATE "WebhookDelivery" d
      SET "leaseUntil" = now() + ${leaseMs} * interval '1 millisecond', attempts = d.attempts + 1
      FROM due
      WHERE d.id = due.id AND d.status = 'pending' AND (d."leaseUntil" IS NULL OR d."leaseUntil" < now())
      RETURNING d.id, d."eventId", d.endpoint, d.attempts`;
  }

  private send(endpoint: WebhookEndpoint, eventId: string, body: string): Promise<SendOutcome> {
    const now = new Date();
    const signature = new Webhook(endpoint.secret).sign(eventId, now, body);
    const headers = { "webhook-id": eventId, "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": signature };
    const { timeoutMs, allowPrivate } = this.deps.config.webhooks;
    return postWebhook(endpoint.url, body, headers, { timeoutMs, allowPrivate });
  }

  /** Delivered; or retried later; or, past the retry window (or for an endpoint gone), failed. */
  private async settle(delivery: Claimed, occurredAt: Date, outcome: SendOutcome, endpointGone: boolean): Promise<keyof DeliveryRun> {
    const common = { leaseUntil: null, lastStatus: outcome.status ?? null, lastError: (outcome.error ?? "").slice(0, 512) };
    if (outcome.ok) {
      await this.deps.db.webhookDelivery.update({ where: { id: delivery.id }, data: { ...common, status: "delivered", deliveredAt: new Date() } });
      return "delivered";
    }
    const next = new Date(Date.now() + retryDelayMs(this.deps.config.webhooks.firstRetryMs, delivery.attempts));
    const givenUp = endpointGone || next.getTime() > occurredAt.getTime() + this.deps.config.webhooks.retryForS * 1000;
    await this.deps.db.webhookDelivery.update({ where: { id: delivery.id }, data: { ...common, ...(givenUp ? { status: "failed" } : { nextAttemptAt: next }) } });
    if (givenUp) this.deps.log.error({ eventId: delivery.eventId, endpoint: delivery.endpoint, attempts: delivery.attempts, error: common.lastError }, "webhook delivery failed for good");
    return givenUp ? "failed" : "retried";
  }
}
