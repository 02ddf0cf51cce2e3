import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";

/**
 * A real Redis Cluster on loopback for one test file: Debian's redis-server processes (3 masters,
 * 3 replicas) on free ports, joined by `redis-cli --cluster create`, in a temporary directory.
 * `stop()` ends every process and deletes the directory; a process exit ends the processes too,
 * so none outlives a crashed test run.
 */

const HOST = "127.0.0.1";
const run = promisify(execFile);

/** Polls `check` every 50 ms until it holds; throws naming `what` after `timeoutMs` (generous: the machine may be busy). */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > giveUpAt) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `count` distinct free loopback ports (all held open while choosing, so none is chosen twice). */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, HOST, resolve));
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

interface Node {
  port: number;
  process: ChildProcess;
  exited: Promise<void>;
  /** A client to this node alone (admin commands); never retries. */
  admin: Redis;
}

/** One shard of CLUSTER SLOTS: the range, its master and replica ports. */
export interface Shard {
  from: number;
  to: number;
  master: number;
  replicas: number[];
}

export interface LocalCluster {
  /** REDIS_CLUSTER_NODES for a server: every node. */
  readonly seeds: string;
  /** A client to one node alone. */
  node(port: number): Redis;
  /** The shards as a node that answers sees them. */
  shards(): Promise<Shard[]>;
  /** The shard serving `slot`. */
  shardOf(slot: number): Promise<Shard>;
  /** Whether the node at `port` is a master now (as it says itself). */
  isMaster(port: number): Promise<boolean>;
  /** SIGKILL: the process dies, its connections close at once. */
  kill(port: number): Promise<void>;
  /** SIGSTOP: the process freezes, its connections stay open and silent (a hung or partitioned host). */
  freeze(port: number): void;
  /** Waits until every live node says cluster_state:ok with every slot served. */
  healthy(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalCluster(options: { nodeTimeoutMs: number }): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), "sxb-redis-cluster-"));
  const nodes = new Map<number, Node>();
  const killAll = () => {
    for (const node of nodes.values()) if (node.process.exitCode === null && node.process.signalCode === null) node.process.kill("SIGKILL");
  };
  process.once("exit", killAll);

  const stop = async () => {
    process.removeListener("exit", killAll);
    for (const node of nodes.values()) node.admin.disconnect();
    killAll();
    await Promise.all([...nodes.values()].map((node) => node.exited));
    rmSync(dir, { recursive: true, force: true });
  };

  const frozen = new Set<number>();
  /** The nodes that answer: not killed, not frozen. */
  const live = () => [...nodes.values()].filter((node) => node.process.exitCode === null && node.process.signalCode === null && !frozen.has(node.port));
  const info = async (node: Node, section: string) => String(await node.admin.call(section === "cluster" ? "CLUSTER" : "INFO", section === "cluster" ? "INFO" : section));
  const field = (text: string, name: string) => new RegExp(`^${name}:(.*)$`, "m").exec(text)?.[1]?.trim();

  const cluster: LocalCluster = {
    seeds: "",
    node(port) {
      const node = nodes.get(port);
      if (!node) throw new Error(`no node on ${port}`);
      return node.admin;
    },
    async shards() {
      for (const node of live()) {
        try {
          const slots = (await node.admin.call("CLUSTER", "SLOTS")) as Array<[number, number, [string, number, string], ...Array<[string, number, string]>]>;
          return slots.map(([from, to, master, ...replicas]) => ({ from, to, master: master[1], replicas: replicas.map((r) => r[1]) }));
        } catch {
          // a frozen node times out: ask the next
        }
      }
      throw new Error("no node answers CLUSTER SLOTS");
    },
    async shardOf(slot) {
      const shard = (await cluster.shards()).find((s) => s.from <= slot && slot <= s.to);
      if (!shard) throw new Error(`slot ${slot} is not served`);
      return shard;
    },
    async isMaster(port) {
      return field(await info(nodes.get(port)!, "replication"), "role") === "master";
    },
    async kill(port) {
      const node = nodes.get(port)!;
      node.admin.disconnect();
      node.process.kill("SIGKILL");
      await node.exited;
    },
    freeze(port) {
      frozen.add(port);
      nodes.get(port)!.process.kill("SIGSTOP");
    },
    async healthy() {
      await waitFor("cluster_state:ok on every node", async () => {
        const states = await Promise.all(live().map((node) => info(node, "cluster").catch(() => "")));
        return states.every((text) => field(text, "cluster_state") === "ok" && field(text, "cluster_slots_ok") === "16384");
      });
    },
    stop,
  };

  try {
    const ports = await freePorts(12);
    for (let i = 0; i < 6; i++) nodes.set(ports[i]!, startNode(dir, ports[i]!, ports[i + 6]!, options.nodeTimeoutMs));
    await Promise.all([...nodes.values()].map((node) => waitFor(`redis-server on ${node.port}`, () => ping(node), 30000).catch((error: Error) => Promise.reject(new Error(`${error.message}; ${logTail(dir, node.port)}`)))));
    const addresses = [...nodes.keys()].map((port) => `${HOST}:${port}`);
    await run("redis-cli", ["--cluster", "create", ...addresses, "--cluster-replicas", "1", "--cluster-yes"], { timeout: 120000 });
    await cluster.healthy();
    // Every replica in sync with its master, so that a failover finds one ready to take over.
    await waitFor("every replica's link to its master", async () => {
      const roles = await Promise.all([...nodes.values()].map((node) => info(node, "replication")));
      const replicas = roles.filter((text) => field(text, "role") === "slave");
      return replicas.length === 3 && replicas.every((text) => field(text, "master_link_status") === "up" && field(text, "master_sync_in_progress") === "0");
    });
    return Object.assign(cluster, { seeds: addresses.join(",") });
  } catch (error) {
    await stop();
    throw error;
  }
}

function startNode(dir: string, port: number, busPort: number, nodeTimeoutMs: number): Node {
  const args = [
    "--port", String(port),
    "--bind", HOST,
    "--cluster-enabled", "yes",
    "--cluster-port", String(busPort),
    "--cluster-config-file", join(dir, `nodes-${port}.conf`),
    "--cluster-node-timeout", String(nodeTimeoutMs),
    // A replica may always take over, however long since it last heard its master (a busy machine).
    "--cluster-replica-validity-factor", "0",
    "--save", "",
    "--appendonly", "no",
    "--daemonize", "no",
    "--dir", dir,
    "--logfile", join(dir, `redis-${port}.log`),
  ];
  const child = spawn("redis-server", args, { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  // A connection to a frozen node never ends gracefully: closing it destroys it at once.
  const admin = new Redis({ host: HOST, port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false, commandTimeout: 2000, disconnectTimeout: 0 });
  admin.on("error", () => undefined);
  return { port, process: child, exited, admin };
}

async function ping(node: Node): Promise<boolean> {
  if (node.process.exitCode !== null) throw new Error(`redis-server on ${node.port} exited with ${node.process.exitCode}`);
  try {
    if (node.admin.status !== "ready") {
      node.admin.disconnect();
      await node.admin.connect();
    }
    return (await node.admin.ping()) === "PONG";
  } catch {
    return false;
  }
}

/** The end of a node's log, for an error saying why it did not start. */
function logTail(dir: string, port: number): string {
  try {
    return `its log ends: ${readFileSync(join(dir, `redis-${port}.log`), "utf8").trim().split("\n").slice(-3).join(" | ")}`;
  } catch {
    return "it wrote no log";
  }
}
