import { createLogger } from "../logger";
import { configOrExit, createRuntime } from "../runtime";
import { Reaper } from "./reaper";

/** `npm run reaper`: the reaper alone, for deployments that keep it off the API instances. */
async function main(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config.logLevel);
  const runtime = await createRuntime(config, log);
  const reaper = new Reaper({ config, services: runtime.services, log });
  reaper.start();
  log.info({ intervalMs: config.reaperIntervalMs }, "reaper running");
  const stop = () => {
    reaper
      .stop()
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
