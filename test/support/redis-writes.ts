import type { Redis } from "ioredis";
import type { RedisClient } from "../../src/infra/redis/client";

/** Counts the writes a standalone client's socket hands to the kernel from now on (one per write or writev). */
export function countSocketWrites(client: RedisClient): () => number {
  const socket = (client as unknown as Redis).stream as unknown as Record<"_write" | "_writev", (...args: unknown[]) => unknown>;
  let writes = 0;
  for (const name of ["_write", "_writev"] as const) {
    const original = socket[name];
    socket[name] = function (this: unknown, ...args: unknown[]) {
      writes += 1;
      return original.apply(this, args);
    };
  }
  return () => writes;
}
