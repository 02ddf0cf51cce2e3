import type { Config } from "../config";
import type { Logger } from "../logger";
import type { Services } from "../services";
import type { AttemptOutcome } from "../services/replay-index";
import { Periodic } from "./periodic";

/**
 * The replay index scheduler, in every instance (no cron, no HTTP call to itself): every
 * REPLAY_INDEX_INTERVAL_MS it asks for the index of each ended class that is due. Each
 * attempt is claimed by one conditional write, so with several instances each class is
 * asked for once per attempt (see ReplayIndexService).
 */
export class ReplayScheduler {
  private readonly periodic: Periodic;

  constructor(private readonly deps: { config: Config; services: Services; log: Logger }) {
    this.periodic = new Periodic(() => this.run(), deps.config.replayIndex.intervalMs, (error) => deps.log.error({ err: error }, "replay index run failed"));
  }

  /** One run: an attempt at every class due now that this instance claims. */
  async run(nowMs = Date.now()): Promise<AttemptOutcome[]> {
    const outcomes = await this.deps.services.replayIndex.runDue(nowMs);
    for (const outcome of outcomes) this.deps.services.metrics.replayIndexAttempt(outcome.kind);
    const failed = outcomes.filter((o) => o.kind === "failed").length;
    if (outcomes.length > 0) this.deps.log.info({ attempts: outcomes.length, failed }, "replay index run");
    return outcomes;
  }

  start(): void {
    this.periodic.start();
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }
}
