import { ConfigError, loadConfig, loadDotEnv } from "./config";
import { startServer } from "./server";

async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const server = await startServer(config);
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
