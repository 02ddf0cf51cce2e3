// First: V8 options that must be set before anything runs (see heap-tuning.ts).
import "../heap-tuning";
import { createLogger } from "../logger";
import { configOrExit, createRuntime } from "../runtime";
import { Reaper } from "./reaper";
import { ReplayScheduler } from "./replay-scheduler";
import { WebhookWorker } from "./webhook-worker";

/** `npm run reaper`: the background workers alone (reaper, replay index scheduler, webhook deliveries), for deployments that keep them off the API instances. */
async function main(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config.logLevel, undefined, { pretty: config.logPretty });
  const runtime = await createRuntime(config, log);
  const reaper = new Reaper({ config, services: runtime.services, log, metrics: runtime.metrics });
  const replayScheduler = new ReplayScheduler({ config, services: runtime.services, log });
  const webhookWorker = new WebhookWorker({ config, services: runtime.services, log });
  reaper.start();
  replayScheduler.start();
  webhookWorker.start();
  log.info({ intervalMs: config.reaperIntervalMs, replayIndexIntervalMs: config.replayIndex.intervalMs }, "reaper and replay index scheduler running");
  const stop = () => {
    Promise.all([reaper.stop(), replayScheduler.stop(), webhookWorker.stop()])
      .then(() => runtime.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error("reaper failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
