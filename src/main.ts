import { launch } from "./launch";
import { configOrExit } from "./runtime";

async function main(): Promise<void> {
  const launched = await launch(configOrExit());
  const stop = (signal: string) => {
    launched.server.log.info({ signal }, "stopping");
    launched.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error("sxb-edu failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
