/** Lua scripts; each touches keys of one hash slot only (Redis Cluster). */
export const LUA = {
  /** Deletes a lock only if this holder's token is still in it. */
  releaseLock: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,

  /** Atomically takes up to ARGV[2] members whose score ≤ ARGV[1] out of a ZSET and returns them:
   *  several reaper instances never take the same member. */
  claimDueMembers: `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return due`,

  /** Drops a member from a class's presence if its last beat is still ≤ ARGV[2], remembering it
   *  as dropped; otherwise returns its current score (it beat meanwhile), or nil if absent. */
  dropIfSilent: `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return nil end
if tonumber(score) <= tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('SADD', KEYS[2], ARGV[1])
  return 'dropped'
end
return score`,

  /** A beat from a member dropped for silence brings it back (1); anyone else stays out (0). */
  reviveDropped: `
if redis.call('SREM', KEYS[2], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
  return 1
end
return 0`,
} as const;
