import { Cluster, Redis, type Command, type RedisCommander, type Result } from "ioredis";
import { BEAT_KEYS_PER_CLASS, LUA } from "./scripts";

/** Custom commands (Lua scripts) registered on every client: see scripts.ts. */
declare module "ioredis" {
  interface RedisCommander<Context> {
    releaseLock(key: string, token: string): Result<number, Context>;
    refreshSession(sessionKey: string, seen: number, ttlS: number): Result<number, Context>;
    beginEnter(lockKey: string, enteringKey: string, holder: string, deadline: number, now: number): Result<number, Context>;
    claimDueMembers(key: string, deadline: number, limit: number): Result<string[], Context>;
    dropIfSilent(presenceKey: string, droppedKey: string, uin: string, deadline: number): Result<string | null, Context>;
    /** LUA.beatClasses: `numberOfKeys` (BEAT_KEYS_PER_CLASS per class) keys, then the limit and each class's beats. */
    beatClasses(numberOfKeys: number, ...keysAndArgs: Array<string | number>): Result<number[], Context>;
    /** LUA.beatClasses on one class's keys (BEAT_KEYS_PER_CLASS of them), then the limit and its beats. */
    beatOneClass(...keysAndArgs: Array<string | number>): Result<number[], Context>;
  }
}

/**
 * What the standalone client (Redis) and the cluster client (Cluster) have in common, and
 * all the rest of the code uses: every command and our scripts, MULTI, pipelines, closing.
 */
export type RedisClient = RedisCommander<{ type: "default"; mapping: "resp2" }> & Pick<Redis, "multi" | "pipeline" | "disconnect">;

/**
 * The scripts of scripts.ts and how many of their arguments are keys, all in one hash slot; or, for a
 * script whose keys come a class at a time, how many each class brings (the caller says how many in all).
 */
export const SCRIPT_KEY_COUNTS = {
  releaseLock: 1,
  refreshSession: 1,
  beginEnter: 2,
  claimDueMembers: 1,
  dropIfSilent: 2,
  beatClasses: { perClass: BEAT_KEYS_PER_CLASS },
} as const satisfies Record<keyof typeof LUA, number | { perClass: number }>;

/** Whether a script call may carry only one slot's keys: a Redis Cluster's rule (a standalone Redis takes keys of many classes in one call). */
export const oneSlotPerScript = (client: RedisClient): boolean => client instanceof Cluster;

export interface RedisTarget {
  /** redis:// or rediss:// URL: the standalone server; with `clusterNodes`, only the user, password and TLS of every node. */
  url: string;
  /** Seed nodes of a Redis Cluster; absent: a standalone Redis at `url`. */
  clusterNodes?: ReadonlyArray<Readonly<{ host: string; port: number }>>;
  /** A command not answered this long fails (a stalled Redis must not hold requests). */
  commandTimeoutMs: number;
}

/**
 * A connected client, standalone or cluster. It fails fast when Redis is away: no offline
 * queue (a command while disconnected fails at once, and nothing stale is replayed after a
 * reconnect), commands in flight when the connection drops fail instead of being retried,
 * and every command has a timeout. ioredis reconnects by itself in the background (a
 * cluster client also follows the slots to a promoted replica).
 */
export async function connectRedis(target: RedisTarget): Promise<RedisClient> {
  const client = target.clusterNodes ? clusterClient(target, target.clusterNodes) : standaloneClient(target);
  for (const [name, keys] of Object.entries(SCRIPT_KEY_COUNTS)) client.defineCommand(name, { numberOfKeys: typeof keys === "number" ? keys : undefined, lua: LUA[name as keyof typeof LUA] });
  // The cluster client sends an auto-pipelined call to the node of its first argument: a call on a
  // cluster (one class) must begin with a key, not with beatClasses' count of keys.
  client.defineCommand("beatOneClass", { numberOfKeys: BEAT_KEYS_PER_CLASS, lua: LUA.beatClasses });
  // Errors also surface on the commands; without a listener ioredis would print each one.
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** How often the cluster client reads the slots again (one CLUSTER SLOTS on a short-lived connection). */
const SLOTS_REFRESH_MS = 1000;

/** Per connection, standalone or to each cluster node. */
function connectionOptions(commandTimeoutMs: number) {
  return { maxRetriesPerRequest: 0, commandTimeout: commandTimeoutMs, connectTimeout: Math.max(2000, commandTimeoutMs) };
}

function standaloneClient(target: RedisTarget): Redis {
  return new WriteCoalescingRedis(target.url, {
    ...connectionOptions(target.commandTimeoutMs),
    enableOfflineQueue: false,
    lazyConnect: true,
  });
}

/**
 * A standalone client whose commands issued together leave in one write: the socket is corked at
 * the first command and uncorked once the code that issued it has run to its end, its promise
 * callbacks included (process.nextTick). A page of 50 classes' counts is one packet, not 100, and
 * Redis reads it once (a tenth of its CPU for such a fan-out, measured). Not auto-pipelining: it
 * builds a pipeline object per turn, kept in a Map and a Set that churn every turn (V8 then
 * promotes each turn's pipeline through the discarded tables), it holds a turn's commands until
 * the previous turn's pipeline has been answered, and it waits for setImmediate: a beat call made
 * there (the heartbeat's batch) would wait a whole turn of the event loop more.
 */
class WriteCoalescingRedis extends Redis {
  override sendCommand(command: Command, stream?: Parameters<Redis["sendCommand"]>[1]): unknown {
    const socket = this.stream as Redis["stream"] | undefined;
    if (socket?.writableCorked === 0) {
      socket.cork();
      process.nextTick(uncork, socket);
    }
    return super.sendCommand(command, stream);
  }
}

const uncork = (socket: Redis["stream"]) => socket.uncork();

/**
 * The cluster client, as fail-fast as the standalone one. A MOVED or ASK redirect is followed
 * (the command was not run), and the slots are then read again, which is how a replica promoted
 * after its master died is found. A master that hangs instead of dying answers no MOVED: the slots
 * are also read every SLOTS_REFRESH_MS (ioredis 6 does not by default), so its promoted replica is
 * found that soon. That timer is ours, not ioredis' `slotsRefreshInterval`, whose timer outlives
 * quit() when a refresh is in flight (the process would never exit by itself); ours is unref'd and
 * ends with the client. A connection lost with commands in flight, or CLUSTERDOWN while the cluster
 * elects a replica, fails the command at once instead of resending it later: a resend could land
 * after the caller's timeout, a stale write.
 */
function clusterClient(target: RedisTarget, nodes: NonNullable<RedisTarget["clusterNodes"]>): Cluster {
  const cluster = new Cluster(
    nodes.map(({ host, port }) => ({ host, port })),
    {
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      lazyConnect: true,
      retryDelayOnFailover: 0,
      retryDelayOnClusterDown: 0,
      redisOptions: { ...connectionOptions(target.commandTimeoutMs), ...clusterCredentialsOf(target.url) },
    },
  );
  const refreshing = setInterval(() => cluster.refreshSlotsCache(), SLOTS_REFRESH_MS).unref();
  cluster.once("end", () => clearInterval(refreshing));
  return cluster;
}

/** What REDIS_URL gives every cluster node: its user and password, and TLS for rediss:// (its host, port and db are not used). */
export function clusterCredentialsOf(url: string): { username?: string; password?: string; tls?: Record<string, never> } {
  const parsed = new URL(url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
  };
}
