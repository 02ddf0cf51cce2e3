import { createHash } from "node:crypto";
import slotOf from "cluster-key-slot";
import type { Redis } from "ioredis";
import { SCRIPT_KEY_COUNTS } from "../../src/infra/redis/client";
import { LUA } from "../../src/infra/redis/scripts";

/**
 * Redis Cluster's rule, checked on a standalone client: every command's keys (a multi-key
 * command's, a script's) and all the keys of a MULTI … EXEC are in one hash slot. The harness
 * installs it on every test server's client, so the whole suite checks every Redis call the
 * server makes, and closing the test server fails on any breach. A breach is recorded, not
 * refused: the command may share a write with others issued beside it, which must still leave whole. Plain
 * pipelines are not checked: the cluster client's auto-pipelining batches unrelated commands
 * and splits its batches by node. A script whose keys come a class at a time (beatClasses)
 * is checked a class at a time: the server sends one class per call only on a cluster
 * (test/redis-cluster.test.ts runs that), many on a standalone Redis.
 */
export interface SlotGuard {
  readonly breaches: readonly string[];
}

export function guardSlots(redis: Redis): SlotGuard {
  const breaches: string[] = [];
  /** The keys of each MULTI being queued, by the pipeline that sends it. */
  const transactions = new WeakMap<object, string[]>();
  const check = (what: string, keys: readonly string[]) => {
    if (keys.length > 1 && slotOf.generateMulti(keys) < 0) breaches.push(`${what} spans hash slots: ${keys.map((key) => `${key} (slot ${slotOf(key)})`).join(", ")}`);
  };
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    const keys = command.getKeys().map(String);
    const perClass = keysPerClassOf(command.name, command.args[0]);
    for (let i = 0; i < keys.length; i += perClass) check(command.name.toUpperCase(), keys.slice(i, i + perClass));
    const queued = stream ? transactions.get(stream) : undefined;
    if (command.name === "multi" && stream) transactions.set(stream, []);
    else if (queued && command.name === "exec") check("MULTI", queued);
    else queued?.push(...keys);
    return send(command, stream);
  };
  return { breaches };
}

/** Scripts whose keys come a class at a time, by what EVAL or EVALSHA names them by (their text, their SHA-1). */
const perClassScripts = new Map(
  Object.entries(SCRIPT_KEY_COUNTS).flatMap(([name, keys]) => {
    if (typeof keys === "number") return [];
    const lua = LUA[name as keyof typeof LUA];
    return [[lua, keys.perClass] as const, [createHash("sha1").update(lua).digest("hex"), keys.perClass] as const];
  }),
);

/** How many of a command's keys must share a slot, a group at a time (all of them but for such scripts). */
function keysPerClassOf(name: string, script: unknown): number {
  return ((name === "evalsha" || name === "eval") && typeof script === "string" && perClassScripts.get(script)) || Number.POSITIVE_INFINITY;
}
