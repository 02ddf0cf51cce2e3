import type { Config } from "../config";
import type { Logger } from "../logger";
import type { Services } from "../services";
import { Periodic } from "./periodic";

/** How often each instance deletes the events past WEBHOOK_KEEP_DAYS. */
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Delivers the webhooks' outbox in every instance, every WEBHOOK_INTERVAL_MS (only when WEBHOOKS
 * names an endpoint), and keeps the outbox from growing for ever: events past WEBHOOK_KEEP_DAYS
 * whose deliveries are settled are deleted every hour (also when no endpoint is left).
 */
export class WebhookWorker {
  private readonly delivering: Periodic;
  private readonly pruning: Periodic;

  constructor(private readonly deps: { config: Config; services: Services; log: Logger }) {
    this.delivering = new Periodic(() => deps.services.webhooks.deliverDue(), deps.config.webhooks.intervalMs, (error) => deps.log.error({ err: error }, "webhook run failed"));
    this.pruning = new Periodic(() => this.prune(), PRUNE_EVERY_MS, (error) => deps.log.error({ err: error }, "webhook pruning failed"));
  }

  start(): void {
    const sending = this.deps.config.webhooks.endpoints.length > 0;
    if (sending) this.delivering.start();
    // An instance that sends prunes at its start too; one without endpoints (an outbox left from
    // before) hourly only, so that a server that never sends makes no SQL of it when it starts.
    this.pruning.start({ runNow: sending });
  }

  stop(): Promise<void> {
    return Promise.all([this.delivering.stop(), this.pruning.stop()]).then(() => undefined);
  }

  private async prune(): Promise<void> {
    const pruned = await this.deps.services.webhooks.pruneSettled();
    if (pruned > 0) this.deps.log.info({ pruned, keepDays: this.deps.config.webhooks.keepDays }, "webhook events past their keeping deleted");
  }
}
