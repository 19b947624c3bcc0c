-- A request's whole gate, atomically, in one call: one group per principal (the address {ip:..}, the user {u:..},
-- the session {s:..}), each with
--   1. the keys its caller asked to read (MGET; an access token's revocation markers), when it has any
--   2. every sliding-window limit that applies to it; the request is counted against the principal only if all of
--      that principal's limits allow it (groups are judged independently, as separate calls would be).
-- Every key of a group carries its principal's hash tag, so where keys must share a slot (Redis Cluster) each group
-- can be sent as a call of its own with the arithmetic unchanged.
-- KEYS: per group, its keys to read, then one hash per limit (field = fixed-window index, value = count)
-- ARGV: the number of groups; per group: the number of keys to read, the number of limits, then limit and window
--       (ms) per limit
-- Returns: per group, {allowed (1/0), the values read ('' when absent), then remaining and wait (ms) per limit}.
-- Same arithmetic as SlidingWindow.java; the clock is Redis's, so every Bulwark instance shares one.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function wait_ms(prev, cur, limit, elapsed, win)
  local room = limit - 1
  if cur <= room then
    if prev <= 0 then return 0 end
    local fits_at = win - (room - cur) * win / prev
    return math.max(1, math.ceil(fits_at - elapsed))
  end
  return math.ceil(win - elapsed + win * (1 - room / cur))
end

-- one principal: nrev keys to read from KEYS[k + 1], then n limits whose (limit, window) pairs start at ARGV[a + 1]
local function principal(k, nrev, n, a)
  local out = {1}
  if nrev > 0 then
    local values = redis.call('MGET', unpack(KEYS, k + 1, k + nrev))
    for i = 1, nrev do
      out[#out + 1] = values[i] or ''
    end
  end
  local state = {}
  for i = 1, n do
    local key = KEYS[k + nrev + i]
    local limit = tonumber(ARGV[a + 2 * i - 1])
    local win = tonumber(ARGV[a + 2 * i])
    local idx = math.floor(now / win)
    local elapsed = now - idx * win
    local field = string.format('%d', idx)
    local counts = redis.call('HMGET', key, field, string.format('%d', idx - 1))
    local cur = tonumber(counts[1] or '0')
    local prev = tonumber(counts[2] or '0')
    local est = prev * (win - elapsed) / win + cur
    if est + 1 > limit then out[1] = 0 end
    state[i] = {key, limit, win, idx, elapsed, cur, prev, est, field}
  end
  for i = 1, n do
    local s = state[i]
    local key, limit, win, idx, elapsed, cur, prev, est, field = s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9]
    local wait
    if out[1] == 1 then
      if redis.call('HINCRBY', key, field, 1) == 1 then
        -- the window's first request: drop the window before the previous one, and let the key go once this
        -- window can no longer be anyone's previous window (never more than two windows; later requests in the
        -- same window would set the same instant, so they skip it)
        redis.call('HDEL', key, string.format('%d', idx - 2))
        redis.call('PEXPIRE', key, 2 * win - elapsed)
      end
      est = est + 1
      wait = win - elapsed
    elseif est + 1 > limit then
      wait = wait_ms(prev, cur, limit, elapsed, win)
    else
      wait = win - elapsed
    end
    out[#out + 1] = math.max(0, math.floor(limit - est))
    out[#out + 1] = wait
  end
  return out
end

local groups = tonumber(ARGV[1])
local replies = {}
local k, a = 0, 1
for g = 1, groups do
  local nrev = tonumber(ARGV[a + 1])
  local n = tonumber(ARGV[a + 2])
  replies[g] = principal(k, nrev, n, a + 2)
  k = k + nrev + n
  a = a + 2 + 2 * n
end
return replies
