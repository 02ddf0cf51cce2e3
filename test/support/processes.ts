import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { builtDigest, sourceDigest } from "../../scripts/support/build-stamp";
import { send } from "./connections";
import { testServerEnv } from "./env";

/**
 * The built server (`node dist/src/main.js`) as a process of its own, as production runs it: its own event loop,
 * its signal handling, its logs. For what the in-process harness cannot show (signals, exit codes, several
 * instances sharing PostgreSQL and Redis). The process gets exactly testServerEnv (this jest worker's stores, the
 * test's Tencent emulator) plus `env`, nothing inherited, and no `.env` file; the test resets the stores itself.
 *
 *   const p = await startServerProcess({ tencent, env: { REAPER_ENABLED: "true" } });
 *   try { ... p.url ... p.signal("SIGTERM"); await p.waitForLog("stopped"); } finally { await p.stop(); }
 */

const ROOT = join(__dirname, "..", "..");
/** The server's entry, as `npm start` runs it. */
export const SERVER_ENTRY = "dist/src/main.js";
/** Bounds against hangs only (a busy machine takes seconds to start a process): never a speed assertion. */
const START_WITHIN_MS = 30000;
const STOP_WITHIN_MS = 30000;
const WAIT_LOG_WITHIN_MS = 30000;

/** One line the process wrote on stdout: pino's JSON (`msg`, `level`, fields), or `{ text }` for anything else. */
export type LogLine = Record<string, unknown> & { msg?: string; text?: string };

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Date.now() when the process had exited and its output was read. */
  at: number;
}

export interface ServerProcess {
  /** Where it listens (it logs it: PORT=0 takes any free port). */
  url: string;
  pid: number;
  /** Its stdout lines so far, in order. */
  readonly logs: readonly LogLine[];
  /** Its stderr so far. */
  stderr(): string;
  signal(name: NodeJS.Signals): void;
  /** The first line (from the start) whose `msg` is `msg`, or that `match` accepts; waits for it, bounded. */
  waitForLog(match: string | ((line: LogLine) => boolean)): Promise<LogLine>;
  /** Resolves once the process has exited and all of its output is read. */
  readonly exited: Promise<ProcessExit>;
  /** SIGINT (no drain), then waits for the exit; SIGKILL and an error if it does not come. Once exited, a no-op. */
  stop(): Promise<ProcessExit>;
}

let checkedBuild = false;

/** Fails the test when dist/ was not built from these sources: it would test stale code. */
export function assertFreshBuild(): void {
  if (checkedBuild) return;
  const built = builtDigest(ROOT);
  if (built === undefined || !existsSync(join(ROOT, SERVER_ENTRY))) {
    throw new Error(`${SERVER_ENTRY} is not built: this test runs the built server as a process. Run \`npm run build\` first (\`npm test\` does).`);
  }
  if (built !== sourceDigest(ROOT)) {
    throw new Error(`dist/ is stale: src/ changed since the last \`npm run build\`, and this test runs the built server as a process. Run \`npm run build\` first (\`npm test\` does).`);
  }
  checkedBuild = true;
}

/** Processes still running when the jest worker exits are killed (a test that failed before stopping them). */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

function parseLine(text: string): LogLine {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as LogLine;
  } catch {
    // not pino's: kept as text
  }
  return { text };
}

export async function startServerProcess(options: { tencent: { url: string }; env?: Record<string, string>; entry?: string }): Promise<ServerProcess> {
  assertFreshBuild();
  const entry = options.entry ?? SERVER_ENTRY;
  const child = spawn(process.execPath, [join(ROOT, entry)], {
    // No `.env` here: the process's configuration is exactly the test's.
    cwd: __dirname,
    env: { ...testServerEnv(options.tencent.url), LOG_LEVEL: "info", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const logs: LogLine[] = [];
  let stderr = "";
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on("line", (text) => {
    logs.push(parseLine(text));
    notify();
  });
  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) =>
    child.once("close", (code, signal) => {
      running.delete(child);
      exit = { code, signal, at: Date.now() };
      resolve(exit);
      notify();
    }),
  );
  const describe = () => `${entry} (pid ${child.pid}) ${exit ? `exited with ${exit.code ?? exit.signal}` : "is running"}\nstdout:\n${logs.map((l) => JSON.stringify(l)).join("\n")}\nstderr:\n${stderr}`;

  const waitForLog = (match: string | ((line: LogLine) => boolean), withinMs = WAIT_LOG_WITHIN_MS) => {
    const accepts = typeof match === "string" ? (line: LogLine) => line.msg === match : match;
    return new Promise<LogLine>((resolve, reject) => {
      const timer = setTimeout(() => settle(() => reject(new Error(`no log line ${String(match)} within ${withinMs} ms: ${describe()}`))), withinMs);
      const settle = (done: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        done();
      };
      const check = () => {
        const found = logs.find(accepts);
        if (found) settle(() => resolve(found));
        else if (exit) settle(() => reject(new Error(`no log line ${String(match)}: ${describe()}`)));
      };
      listeners.add(check);
      check();
    });
  };

  const stop = async () => {
    if (exit) return exit;
    child.kill("SIGINT");
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), STOP_WITHIN_MS)));
    const outcome = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (outcome !== "late") return outcome;
    child.kill("SIGKILL");
    await exited;
    throw new Error(`did not stop within ${STOP_WITHIN_MS} ms of SIGINT: ${describe()}`);
  };

  try {
    const serving = await waitForLog((line) => line.msg === "serving" && typeof line.url === "string", START_WITHIN_MS);
    const url = serving.url as string;
    await untilReady(url);
    return {
      url,
      pid: child.pid!,
      logs,
      stderr: () => stderr,
      signal: (name) => void child.kill(name),
      waitForLog: (match) => waitForLog(match),
      exited,
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/** Polls /readyz until it answers 200 (it does as soon as the process serves, unless a dependency is away). */
async function untilReady(url: string): Promise<void> {
  let last = "no answer";
  for (const giveUpAt = Date.now() + START_WITHIN_MS; Date.now() < giveUpAt; await new Promise((r) => setTimeout(r, 100))) {
    try {
      const answer = await send(`${url}/readyz`);
      last = `${answer.status} ${answer.text}`;
      if (answer.status === 200) return;
    } catch (error) {
      last = String(error);
    }
  }
  throw new Error(`${url}/readyz did not answer 200 within ${START_WITHIN_MS} ms (last: ${last})`);
}
