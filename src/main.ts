import { configOrExit } from "./runtime";
import { startServer } from "./server";

async function main(): Promise<void> {
  const server = await startServer(configOrExit());
  const stop = (signal: string) => {
    server.log.info({ signal }, "stopping");
    server.close().then(
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
