import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

/** Child processes for the benchmarks (compiled scripts under dist/). */

const DIST = join(__dirname, "..", "..");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Waits until `url` answers 200 (a server's /readyz: it serves and its dependencies answer). */
export async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer 200`);
}

/** BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") go to the server's node, to profile it under load (not a server that only sets up). */
export function launch(script: string, env: Record<string, string>, stdout: "ignore" | "pipe" = "ignore", options: { profiled?: boolean; nodeArgs?: string; dist?: string } = {}): ChildProcess {
  const profiled = options.profiled ?? script === "src/main.js";
  const nodeArgs = `${profiled ? (process.env.BENCH_NODE_ARGS ?? "") : ""} ${options.nodeArgs ?? ""}`.split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(options.dist ?? DIST, script)], { env: { ...process.env, ...env }, stdio: ["ignore", stdout, "inherit"] });
  child.on("exit", (code) => {
    if (code !== null && code !== 0) console.error(`${script} exited with ${code}`);
  });
  return child;
}

/** The Tencent emulator in its own process, so that its work is not counted against the server's. */
export async function launchTencentEmulator(apps: unknown[]): Promise<{ url: string; process: ChildProcess }> {
  const child = launch("src/emulator/main.js", { SDK_APPS: JSON.stringify(apps), TENCENT_EMULATOR_PORT: "0" }, "pipe");
  const url = await new Promise<string>((resolve, reject) => {
    let text = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes("\n")) resolve(text.trim());
    });
    child.once("exit", () => reject(new Error("the Tencent emulator did not start")));
  });
  return { url, process: child };
}

const CLOCK_TICKS_PER_S = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim());

/** CPU seconds a process has used (user + system), from /proc. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

/** CPU seconds the hypervisor took from this VM (all cores; /proc/stat's steal): a busy host slows every process here with nothing of ours to blame. */
export function stolenSeconds(): number {
  const fields = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/);
  return Number(fields[8]) / CLOCK_TICKS_PER_S;
}

/** The Redis server's process id, as it reports it. */
export function redisPid(redisUrl: string): number {
  const info = execFileSync("redis-cli", ["-u", redisUrl, "info", "server"]).toString();
  return Number(/process_id:(\d+)/.exec(info)![1]);
}

/** CPU seconds used by every PostgreSQL process (the server and its backends) this user can read. */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "postgres") total += cpuSeconds(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}
