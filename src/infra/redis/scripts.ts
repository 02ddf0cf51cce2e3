/** Lua scripts; each touches keys of one hash slot only (Redis Cluster). */
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

  /** Heartbeats of one class, one call on its keys (presence, dropped, alive, roles, thumbup, beat counts).
   *  ARGV[1]: the host's beat (ms), "0" if none; ARGV[2]: the host's thumbs-up count, "" if none;
   *  ARGV[3]: the fields per beat, 2 (uin, beat ms) or 3 (… and the role a live member reports);
   *  ARGV[4]: beats a member may make a minute, 0 for no limit (counted per member in KEYS[6],
   *  "window start ms:count", kept until two minutes after the last window began).
   *  The host's beat keeps a living class alive (SET XX: an ended class stays ended), over its limit too.
   *  Returns per beat: 1 present, 2 revived (dropped for silence, now back: B10), 0 not a member,
   *  or minus the ms until the member's next beat is taken (over its limit: nothing written). */
  beatMany: `
if ARGV[1] ~= '0' then
  redis.call('SET', KEYS[3], ARGV[1], 'XX')
  if ARGV[2] ~= '' then redis.call('SET', KEYS[5], ARGV[2], 'XX') end
end
local limit = tonumber(ARGV[4])
local stride = tonumber(ARGV[3])
local out = {}
local windowStarted = false
for i = 5, #ARGV, stride do
  local uin, now = ARGV[i], ARGV[i + 1]
  local code = 0
  if limit > 0 then
    local window = redis.call('HGET', KEYS[6], uin)
    local start, count = tonumber(now), 1
    if window then
      local s, c = string.match(window, '^(%d+):(%d+)$')
      if s and tonumber(now) - tonumber(s) < 60000 then start, count = tonumber(s), tonumber(c) + 1 end
    end
    if count > limit then
      code = start + 60000 - tonumber(now)
      if code < 1 then code = 1 end
      code = -code
    else
      redis.call('HSET', KEYS[6], uin, start .. ':' .. count)
      if count == 1 then windowStarted = true end
    end
  end
  if code == 0 then
    if redis.call('ZADD', KEYS[1], 'XX', 'CH', now, uin) == 1 or redis.call('ZSCORE', KEYS[1], uin) then
      code = 1
    elseif redis.call('SREM', KEYS[2], uin) == 1 then
      redis.call('ZADD', KEYS[1], now, uin)
      code = 2
    end
    if code ~= 0 and stride == 3 then redis.call('HSET', KEYS[4], uin, ARGV[i + 2]) end
  end
  out[#out + 1] = code
end
-- Every member's window starts again each minute it beats: the counts outlive the last beat by one to two minutes.
if windowStarted then redis.call('PEXPIRE', KEYS[6], 120000) end
return out`,
} as const;
