// First: V8 options that must be set before anything runs.
import "./heap-tuning";
import { launch } from "./launch";
import { configOrExit } from "./runtime";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
/** How long after closing a process whose event loop still holds a handle is made to exit. */
const EXIT_FALLBACK_MS = 2000;

/** Handles the next SIGINT or SIGTERM once; after it, both have Node's default again (the process ends at once). */
function onNextSignal(handle: (signal: NodeJS.Signals) => void): void {
  const handler = (signal: NodeJS.Signals) => {
    for (const name of SIGNALS) process.removeListener(name, handler);
    handle(signal);
  };
  for (const name of SIGNALS) process.on(name, handler);
}

/**
 * Once closed, nothing is left to keep the event loop alive and the process ends by itself, after the log's last
 * writes (process.exit() at once could lose or reorder them: they are asynchronous). Should a handle stay open all
 * the same, the process is ended a moment later.
 */
function exit(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), EXIT_FALLBACK_MS).unref();
}

/**
 * SIGTERM (what orchestrators and `docker stop` send) drains first: the load balancer sees /readyz 503 and stops
 * sending while the instance still answers, for SHUTDOWN_DRAIN_MS. SIGINT (Ctrl-C in a terminal) does not wait:
 * nothing routes to a developer's process. Either then stops accepting and finishes what is in flight. A second
 * signal during a drain ends the drain; a signal after that ends the process at once, as a second Ctrl-C always has.
 */
async function main(): Promise<void> {
  const launched = await launch(configOrExit());
  const { log, config } = launched.server;
  onNextSignal((signal) => {
    const drainMs = signal === "SIGTERM" ? config.shutdownDrainMs : 0;
    log.info({ signal, drainMs, graceMs: config.shutdownGraceMs }, "stopping");
    if (drainMs > 0) {
      onNextSignal((next) => {
        log.info({ signal: next }, "drain ended by a second signal");
        void launched.close();
      });
    }
    launched.close({ drainMs }).then(
      () => {
        log.info("stopped");
        exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, "stopping failed");
        exit(1);
      },
    );
  });
}

main().catch((error: unknown) => {
  console.error("sxb-edu failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
