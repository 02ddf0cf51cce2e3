import { createLogger } from "../src/logger";
import { configOrExit, createRuntime } from "../src/runtime";

/**
 * `npm run webhooks -- replay --since <time> [--endpoint <name>]`: sends again what a receiver
 * missed (it was down, or lost data): every delivery of the events since <time> (an ISO 8601
 * time, or a number of hours ago: `--since 6h`), delivered or given up, becomes pending again;
 * the running instances' workers send them, in order per course, with their original event ids.
 */

const USAGE = "usage: npm run webhooks -- replay --since <ISO time | N h> [--endpoint <name>]";

function sinceOf(value: string | undefined): Date {
  const hours = /^(\d+(?:\.\d+)?)h$/.exec(value ?? "");
  const since = hours ? new Date(Date.now() - Number(hours[1]) * 3600_000) : new Date(value ?? "");
  if (Number.isNaN(since.getTime())) throw new Error(USAGE);
  return since;
}

function optionOf(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
}

async function main(): Promise<void> {
  const config = configOrExit();
  const args = process.argv.slice(2);
  if (args[0] !== "replay") throw new Error(USAGE);
  const since = sinceOf(optionOf(args, "--since"));
  const endpoint = optionOf(args, "--endpoint");
  if (endpoint !== undefined && !config.webhooks.endpoints.some((e) => e.name === endpoint)) throw new Error(`no endpoint named ${endpoint} in WEBHOOKS`);
  const runtime = await createRuntime(config, createLogger("warn"));
  try {
    const count = await runtime.services.webhooks.replaySince(since, endpoint);
    console.log(`${count} deliver${count === 1 ? "y" : "ies"} since ${since.toISOString()}${endpoint ? ` to ${endpoint}` : ""} will be sent again`);
  } finally {
    await runtime.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
