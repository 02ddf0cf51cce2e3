import { connectRedis, type RedisClient } from "../src/infra/redis/client";
import { testRedisUrl } from "./support/env";
import { countSocketWrites } from "./support/redis-writes";

/**
 * The standalone client coalesces the commands issued together (a run of code and its promise
 * callbacks) into one write (src/infra/redis/client.ts):
 * a page of many classes' counts is one packet and one read for Redis, not one per command.
 * Observed where the bytes leave: the socket's own write calls, one per write (or writev) to
 * the kernel.
 */

let redis: RedisClient;
beforeAll(async () => {
  redis = await connectRedis({ url: testRedisUrl(), commandTimeoutMs: 5000 });
});
afterAll(() => redis.quit());

const KEYS = Array.from({ length: 100 }, (_, i) => `coalescing:${i}`);

afterEach(() => redis.del(...KEYS));

test("commands issued together leave in one write, and each gets its own answer", async () => {
  const writes = countSocketWrites(redis);
  const set = KEYS.map((key, i) => redis.set(key, String(i)));
  const read = KEYS.map((key) => redis.get(key));
  expect(await Promise.all(set)).toEqual(KEYS.map(() => "OK"));
  expect(await Promise.all(read)).toEqual(KEYS.map((_, i) => String(i)));
  expect(writes()).toBe(1);
});

test("commands issued later leave in a write of their own (nothing waits for a flush that never comes)", async () => {
  const writes = countSocketWrites(redis);
  await Promise.all(KEYS.map((key) => redis.set(key, "1")));
  const counted = await Promise.all(KEYS.map((key) => redis.incr(key)));
  expect(counted).toEqual(KEYS.map(() => 2));
  expect(await redis.get(KEYS[99]!)).toBe("2");
  expect(writes()).toBe(3);
});
