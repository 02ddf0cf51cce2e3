import { Redis, type Result } from "ioredis";
import { LUA } from "./scripts";

/** Custom commands (Lua scripts) registered on every client: see scripts.ts. */
declare module "ioredis" {
  interface RedisCommander<Context> {
    releaseLock(key: string, token: string): Result<number, Context>;
    beginEnter(lockKey: string, enteringKey: string, holder: string, deadline: number, now: number): Result<number, Context>;
    claimDueMembers(key: string, deadline: number, limit: number): Result<string[], Context>;
    dropIfSilent(presenceKey: string, droppedKey: string, uin: string, deadline: number): Result<string | null, Context>;
    beatMany(
      presenceKey: string,
      droppedKey: string,
      aliveKey: string,
      rolesKey: string,
      thumbupKey: string,
      hostBeat: number,
      hostThumbup: string,
      stride: 2 | 3,
      ...beats: Array<string | number>
    ): Result<number[], Context>;
  }
}

export type RedisClient = Redis;

export interface RedisOptions {
  /** A command not answered this long fails (a stalled Redis must not hold requests). */
  commandTimeoutMs: number;
}

/**
 * A connected client. It fails fast when Redis is away: no offline queue (a command while
 * disconnected fails at once, and nothing stale is replayed after a reconnect), commands
 * in flight when the connection drops fail instead of being retried, and every command
 * has a timeout. ioredis reconnects by itself in the background.
 */
export async function connectRedis(url: string, options: RedisOptions): Promise<RedisClient> {
  const redis = new Redis(url, {
    // Commands issued in the same tick share one write: the heartbeat path benefits most.
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(2000, options.commandTimeoutMs),
    lazyConnect: true,
  });
  redis.defineCommand("releaseLock", { numberOfKeys: 1, lua: LUA.releaseLock });
  redis.defineCommand("beginEnter", { numberOfKeys: 2, lua: LUA.beginEnter });
  redis.defineCommand("claimDueMembers", { numberOfKeys: 1, lua: LUA.claimDueMembers });
  redis.defineCommand("dropIfSilent", { numberOfKeys: 2, lua: LUA.dropIfSilent });
  redis.defineCommand("beatMany", { numberOfKeys: 5, lua: LUA.beatMany });
  // Errors also surface on the commands; without a listener ioredis would print each one.
  redis.on("error", () => undefined);
  await redis.connect();
  return redis;
}
