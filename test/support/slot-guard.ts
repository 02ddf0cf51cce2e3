import slotOf from "cluster-key-slot";
import type { Redis } from "ioredis";

/**
 * Redis Cluster's rule, checked on a standalone client: every command's keys (a multi-key
 * command's, a script's) and all the keys of a MULTI … EXEC are in one hash slot. The harness
 * installs it on every test server's client, so the whole suite checks every Redis call the
 * server makes, and closing the test server fails on any breach. A breach is recorded, not
 * refused: the command may sit in an auto-pipelined batch, which must still be written whole.
 * Plain pipelines are not checked: auto-pipelining batches unrelated commands, and the cluster
 * client splits its batches by node.
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
    check(command.name.toUpperCase(), keys);
    const queued = stream ? transactions.get(stream) : undefined;
    if (command.name === "multi" && stream) transactions.set(stream, []);
    else if (queued && command.name === "exec") check("MULTI", queued);
    else queued?.push(...keys);
    return send(command, stream);
  };
  return { breaches };
}
