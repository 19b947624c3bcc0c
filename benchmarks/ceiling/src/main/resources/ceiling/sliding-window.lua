-- The ceiling's admission check, in one call: a principal's access-token revocation markers and its sliding-window
-- limits (the same arithmetic Bulwark uses: two fixed windows per limit in one hash, the previous one weighted by
-- how much of it still overlaps the sliding window; the request counts only if every limit allows it).
-- KEYS: ARGV[1] revocation keys, then one hash per limit; every key carries the principal's hash tag.
-- ARGV: revocation key count, then limit and window (ms) per limit.
-- Returns: allowed (1/0), the revocation values ('' when absent), then remaining and wait (ms) per limit.
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
  state[i] = {key, limit, win, idx, elapsed, est, field}
end

for i = 1, n do
  local key, limit, win, idx, elapsed, est, field = unpack(state[i])
  if out[1] == 1 then
    if redis.call('HINCRBY', key, field, 1) == 1 then
      -- first request of this window: drop the window before the previous one, expire once it is nobody's previous
      redis.call('HDEL', key, string.format('%d', idx - 2))
      redis.call('PEXPIRE', key, 2 * win - elapsed)
    end
    est = est + 1
  end
  out[#out + 1] = math.max(0, math.floor(limit - est))
  -- the wait is the end of the current window: exact for the allowed path, an upper bound for a refusal
  out[#out + 1] = win - elapsed
end
return out
