import { createInterface } from "node:readline";
import { createLogger } from "../src/logger";
import { configOrExit, createRuntime } from "../src/runtime";
import { AppError } from "../src/errors";

/**
 * `npm run operator -- add <id> [--apps <sdkAppId>,…]`: creates a console operator. The
 * password is read from stdin when it is not a terminal (`echo "$PW" | npm run operator -- add
 * alice`), else asked twice without echo. `--apps` lists the apps the operator sees (default:
 * every app of SDK_APPS). The same configuration as the server (DATABASE_URL, REDIS_URL…).
 */

const USAGE = "usage: npm run operator -- add <id> [--apps <sdkAppId>,…]   (the password on stdin, or asked)";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

/** Asks on the terminal without echoing what is typed. */
function ask(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const output = rl as unknown as { _writeToOutput: (text: string) => void };
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write("\n");
      resolve(answer);
    });
    output._writeToOutput = (text: string) => process.stdout.write(text.startsWith(question) ? question : "");
  });
}

async function passwordOf(): Promise<string> {
  if (!process.stdin.isTTY) return readStdin();
  const first = await ask("Password: ");
  if ((await ask("Again: ")) !== first) throw new Error("the two passwords differ");
  return first;
}

function parse(args: string[], knownApps: number[]): { id: string; apps: number[] } {
  const [command, id, ...rest] = args;
  if (command !== "add" || !id || id.startsWith("-")) throw new Error(USAGE);
  const appsAt = rest.indexOf("--apps");
  const apps = appsAt < 0 ? knownApps : (rest[appsAt + 1] ?? "").split(",").map(Number);
  const unknown = apps.filter((app) => !knownApps.includes(app));
  if (apps.length === 0 || unknown.length > 0) throw new Error(`--apps must list apps of SDK_APPS (${knownApps.join(", ")}); not: ${unknown.join(", ") || "(none given)"}`);
  if (id.length > 50 || !/^[\w.@-]+$/.test(id)) throw new Error("the id is 1 to 50 letters, digits, or . _ @ -");
  return { id, apps };
}

async function main(): Promise<void> {
  const config = configOrExit();
  const { id, apps } = parse(process.argv.slice(2), [...config.sdkApps.keys()]);
  const password = await passwordOf();
  if (password.length < 8) throw new Error("the password needs at least 8 characters");
  const runtime = await createRuntime(config, createLogger("warn"));
  try {
    await runtime.services.operators.add(id, password, apps);
    console.log(`operator ${id} added, seeing app${apps.length > 1 ? "s" : ""} ${apps.join(", ")}: sign in at /console`);
  } finally {
    await runtime.close();
  }
}

main().catch((error: unknown) => {
  const message = error instanceof AppError && error.code === 10004 ? "that operator id is taken" : error instanceof Error ? error.message : String(error);
  console.error(message);
  process.exit(1);
});
