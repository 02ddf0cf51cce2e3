import fc from "fast-check";
import slotOf from "cluster-key-slot";
import { Redis } from "ioredis";
import { clusterCredentialsOf, connectRedis, type RedisClient, SCRIPT_KEY_COUNTS } from "../src/infra/redis/client";
import { classBeatKeys, RedisKeys } from "../src/infra/redis/keys";
import { LUA } from "../src/infra/redis/scripts";
import { testRedisUrl } from "./support/env";
import { guardSlots } from "./support/slot-guard";

/**
 * Redis Cluster's rule: a script, a MULTI or a multi-key command touches one hash slot. The
 * keys of a course share the tag {course:N}; scripts reach only the keys they are given; and
 * the slot guard every test server runs with (test/support/slot-guard.ts) catches a breach,
 * so the whole suite checks every call the server makes. test/redis-cluster.test.ts runs the
 * server on a real cluster.
 */

const SEED = 20261204;

describe("keys", () => {
  /** Every key of a course, by its builder. */
  const courseKeys = (roomnum: number, work: string) => ({
    coursePresence: RedisKeys.coursePresence(roomnum),
    courseDropped: RedisKeys.courseDropped(roomnum),
    courseAlive: RedisKeys.courseAlive(roomnum),
    courseLock: RedisKeys.courseLock(roomnum),
    courseRelayLock: RedisKeys.courseRelayLock(roomnum),
    courseClaim: RedisKeys.courseClaim(roomnum, work),
    courseEntering: RedisKeys.courseEntering(roomnum),
    pendingMarker: RedisKeys.pendingMarker(roomnum, work),
    courseRoles: RedisKeys.courseRoles(roomnum),
    courseMic: RedisKeys.courseMic(roomnum),
    courseThumbup: RedisKeys.courseThumbup(roomnum),
    courseBeatRate: RedisKeys.courseBeatRate(roomnum),
  });
  /** Keys only ever used alone (one per command, in no script or MULTI with another key). */
  const SINGLE_KEYS = ["session", "consoleSession", "sessionsUsedByHeartbeat", "livingCourses", "presentMembers", "presenceEpoch", "presenceRebuildLock", "liveRoomOf", "rateLimit", "sessionsEnded"];

  test("every key is either a course's (tagged) or used alone: a new key must say which", () => {
    expect(Object.keys(RedisKeys).sort()).toEqual([...Object.keys(courseKeys(1, "x")), ...SINGLE_KEYS].sort());
  });

  test("all the keys of one course are in one slot, whatever the room and the piece of work", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.string(), (roomnum, work) => {
        const keys = Object.values(courseKeys(roomnum, work));
        expect(slotOf.generateMulti(keys)).toBe(slotOf(`{course:${roomnum}}`));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

describe("scripts", () => {
  test.each(Object.keys(LUA) as Array<keyof typeof LUA>)("%s reaches only the keys it is given (KEYS[1..its count], or KEYS[k + 1..its count per class])", (name) => {
    const declared = SCRIPT_KEY_COUNTS[name];
    const perClass = typeof declared !== "number";
    const count = perClass ? declared.perClass : declared;
    // A script taking keys a class at a time walks them a class at a time.
    if (perClass) expect(LUA[name]).toContain(`for k = 0, #KEYS - 1, ${count} do`);
    const calls = [...LUA[name].matchAll(/redis\.call\(\s*'(\w+)'\s*,\s*([^,)]+)/g)];
    expect(calls.length).toBeGreaterThan(0);
    for (const [, command, key] of calls) {
      const index = (perClass ? /^KEYS\[k \+ (\d+)\]$/ : /^KEYS\[(\d+)\]$/).exec(key!.trim())?.[1];
      expect({ command, key, declared: index !== undefined && Number(index) >= 1 && Number(index) <= count }).toEqual({ command, key, declared: true });
    }
  });
});

describe("the slot guard of the test servers", () => {
  let redis: RedisClient;
  beforeAll(async () => {
    redis = await connectRedis({ url: testRedisUrl(), commandTimeoutMs: 5000 });
  });
  afterAll(() => redis.quit());

  test("records what a cluster refuses (a multi-key command, a script, a MULTI across slots) and nothing else", async () => {
    if (!(redis instanceof Redis)) throw new Error("a standalone client was expected");
    const guard = guardSlots(redis);
    const [a, b] = ["{course:1}:x", "{course:2}:x"];
    // One slot: not recorded.
    await redis.del(a, "{course:1}:y");
    await redis.multi().set(a, "1").expire(a, 10).del("{course:1}:y").exec();
    await redis.dropIfSilent("{course:1}:presence", "{course:1}:dropped", "7", 0);
    await redis.set("alone", "1");
    // Beats of two classes in one call: each class's keys in its own slot.
    await redis.beatClasses(12, ...classBeatKeys(1), ...classBeatKeys(2), 0, 0, "", 2, 1, "7", 1, 0, "", 2, 1, "8", 1);
    expect(guard.breaches).toEqual([]);
    // Across slots: recorded (and still run: a standalone Redis does not refuse them).
    await redis.del(a, b);
    await redis.multi().set(a, "1").set(b, "1").exec();
    const [p, d] = ["{course:1}:presence", "{course:2}:dropped"];
    await redis.dropIfSilent(p, d, "7", 0);
    const mixed = [RedisKeys.coursePresence(1), ...classBeatKeys(2).slice(1)];
    await redis.beatClasses(6, ...mixed, 0, 0, "", 2, 1, "7", 1);
    expect(guard.breaches).toEqual([
      `DEL spans hash slots: ${a} (slot ${slotOf(a)}), ${b} (slot ${slotOf(b)})`,
      `MULTI spans hash slots: ${a} (slot ${slotOf(a)}), ${b} (slot ${slotOf(b)})`,
      `EVALSHA spans hash slots: ${p} (slot ${slotOf(p)}), ${d} (slot ${slotOf(d)})`,
      `EVALSHA spans hash slots: ${mixed.map((key) => `${key} (slot ${slotOf(key)})`).join(", ")}`,
    ]);
    await redis.del(a, b, "alone");
  });
});

describe("REDIS_URL beside REDIS_CLUSTER_NODES", () => {
  test.each([
    ["redis://127.0.0.1:6379/0", {}],
    ["redis://:s%40cret@cache", { password: "s@cret" }],
    ["rediss://edu:s%3Acret@cache:6380", { username: "edu", password: "s:cret", tls: {} }],
  ])("%s gives every node %j", (url, expected) => {
    expect(clusterCredentialsOf(url)).toEqual(expected);
  });
});
