import { Redis, type Result } from "ioredis";
import { LUA } from "./scripts";

/** Custom commands (Lua scripts) registered on every client: see scripts.ts. */
declare module "ioredis" {
  interface RedisCommander<Context> {
    releaseLock(key: string, token: string): Result<number, Context>;
    beginEnter(lockKey: string, enteringKey: string, holder: string, deadline: number, now: number): Result<number, Context>;
    claimDueMembers(key: string, deadline: number, limit: number): Result<string[], Context>;
    dropIfSilent(presenceKey: string, droppedKey: string, uin: string, deadline: number): Result<string | null, Context>;
    beatMany(presenceKey: string, droppedKey: string, aliveKey: string, hostBeat: number, ...uinBeatPairs: Array<string | number>): Result<number[], Context>;
  }
}

export type RedisClient = Redis;

export function createRedis(url: string): RedisClient {
  const redis = new Redis(url, {
    // Commands issued in the same tick share one write: the heartbeat path benefits most.
    enableAutoPipelining: true,
    maxRetriesPerRequest: 2,
    lazyConnect: false,
  });
  redis.defineCommand("releaseLock", { numberOfKeys: 1, lua: LUA.releaseLock });
  redis.defineCommand("beginEnter", { numberOfKeys: 2, lua: LUA.beginEnter });
  redis.defineCommand("claimDueMembers", { numberOfKeys: 1, lua: LUA.claimDueMembers });
  redis.defineCommand("dropIfSilent", { numberOfKeys: 2, lua: LUA.dropIfSilent });
  redis.defineCommand("beatMany", { numberOfKeys: 3, lua: LUA.beatMany });
  return redis;
}
