/** The keys each class brings to LUA.beatClasses. */
export const BEAT_KEYS_PER_CLASS = 6;

/** Lua scripts; each touches keys of one hash slot only (Redis Cluster), but beatClasses, whose keys come a class at a time. */
export const LUA = {
  /** Deletes a lock only if this holder's token is still in it. */
  releaseLock: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,

  /** Slides a session's idle expiry (KEYS session) if it still exists: seen ARGV[1] (s), TTL ARGV[2] (s). 1 if it did,
   *  0 if it is gone (ended meanwhile: a cache that trusted it must stop). */
  refreshSession: `
if redis.call('HEXISTS', KEYS[1], 'uin') == 0 then return 0 end
redis.call('HSET', KEYS[1], 'seen', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1`,

  /** A member starts entering (KEYS lock, entering): refused (0) while the class is starting or ending
   *  (its lock is held); else records holder ARGV[1] until ARGV[2] (ms), dropping holders past ARGV[3] (now). */
  beginEnter: `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('PEXPIREAT', KEYS[2], ARGV[2])
return 1`,

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

  /** Heartbeats of one or more classes in one call. Each class brings 6 keys, in this order: presence,
   *  dropped, alive, roles, thumbup, beat counts (BEAT_KEYS_PER_CLASS; each class's keys share its
   *  slot, and on a Redis Cluster a call carries one class). ARGV[1]: the beats a member may make a
   *  minute, 0 for no limit (counted per member in the class's beat counts, "window start ms:count",
   *  kept until two minutes after the last window began). Then per class, in the order of its keys:
   *  the host's beat (ms), "0" if none; the host's thumbs-up count, "" if none; the fields per beat,
   *  2 (uin, beat ms) or 3 (… and the role a live member reports); the number of beats; the beats.
   *  The host's beat keeps a living class alive (SET XX: an ended class stays ended), over its limit too.
   *  Returns per beat, classes in order: 1 present, 2 revived (dropped for silence, now back: B10),
   *  0 not a member, or minus the ms until the member's next beat is taken (over its limit: nothing written). */
  beatClasses: `
local limit = tonumber(ARGV[1])
local out = {}
local a = 2
for k = 0, #KEYS - 1, 6 do
  local hostBeat, hostThumbup, stride, count = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  a = a + 4
  if hostBeat ~= '0' then
    redis.call('SET', KEYS[k + 3], hostBeat, 'XX')
    if hostThumbup ~= '' then redis.call('SET', KEYS[k + 5], hostThumbup, 'XX') end
  end
  local windowStarted = false
  for i = a, a + (count - 1) * stride, stride do
    local uin, now = ARGV[i], ARGV[i + 1]
    local code = 0
    if limit > 0 then
      local window = redis.call('HGET', KEYS[k + 6], uin)
      local start, beats = tonumber(now), 1
      if window then
        local s, c = string.match(window, '^(%d+):(%d+)$')
        if s and tonumber(now) - tonumber(s) < 60000 then start, beats = tonumber(s), tonumber(c) + 1 end
      end
      if beats > limit then
        code = start + 60000 - tonumber(now)
        if code < 1 then code = 1 end
        code = -code
      else
        redis.call('HSET', KEYS[k + 6], uin, start .. ':' .. beats)
        if beats == 1 then windowStarted = true end
      end
    end
    if code == 0 then
      if redis.call('ZADD', KEYS[k + 1], 'XX', 'CH', now, uin) == 1 or redis.call('ZSCORE', KEYS[k + 1], uin) then
        code = 1
      elseif redis.call('SREM', KEYS[k + 2], uin) == 1 then
        redis.call('ZADD', KEYS[k + 1], now, uin)
        code = 2
      end
      if code ~= 0 and stride == 3 then redis.call('HSET', KEYS[k + 4], uin, ARGV[i + 2]) end
    end
    out[#out + 1] = code
  end
  a = a + count * stride
  -- Every member's window starts again each minute it beats: the counts outlive the last beat by one to two minutes.
  if windowStarted then redis.call('PEXPIRE', KEYS[k + 6], 120000) end
end
return out`,
} as const;
