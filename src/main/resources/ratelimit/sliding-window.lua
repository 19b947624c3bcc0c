-- One principal's part of a request's gate, atomically, in one call:
--   1. the keys its caller asked to read (MGET; an access token's revocation markers), when ARGV[1] > 0
--   2. every sliding-window limit that applies; the request is counted only if all of them allow it.
-- Every key carries the principal's hash tag, so the call runs unchanged on Redis Cluster.
-- KEYS: ARGV[1] keys to read, then one hash per limit (field = fixed-window index, value = count)
-- ARGV: the number of keys to read, then limit and window (ms) per limit
-- Returns: allowed (1/0), the values read ('' when absent), then remaining and wait (ms) per limit.
-- Same arithmetic as SlidingWindow.java; the clock is Redis's, so every Bulwark instance shares one.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nrev = tonumber(ARGV[1])
local out = {1}
if nrev > 0 then
  local values = redis.call('MGET', unpack(KEYS, 1, nrev))
  for i = 1, nrev do
    out[#out + 1] = values[i] or ''
  end
end

local function wait_ms(prev, cur, limit, elapsed, win)
  local room = limit - 1
  if cur <= room then
    if prev <= 0 then return 0 end
    local fits_at = win - (room - cur) * win / prev
    return math.max(1, math.ceil(fits_at - elapsed))
  end
  return math.ceil(win - elapsed + win * (1 - room / cur))
end

local n = #KEYS - nrev
local state = {}
for i = 1, n do
  local key = KEYS[nrev + i]
  local limit = tonumber(ARGV[2 * i])
  local win = tonumber(ARGV[2 * i + 1])
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
