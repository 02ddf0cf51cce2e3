import type { Config } from "../config";
import type { Logger } from "../logger";
import type { Services } from "../services";
import { Periodic } from "./periodic";

/** Delivers the webhooks' outbox in every instance, every WEBHOOK_INTERVAL_MS (only when WEBHOOKS names an endpoint). */
export class WebhookWorker {
  private readonly periodic: Periodic;

  constructor(private readonly deps: { config: Config; services: Services; log: Logger }) {
    this.periodic = new Periodic(() => deps.services.webhooks.deliverDue(), deps.config.webhooks.intervalMs, (error) => deps.log.error({ err: error }, "webhook run failed"));
  }

  start(): void {
    if (this.deps.config.webhooks.endpoints.length > 0) this.periodic.start();
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }
}
