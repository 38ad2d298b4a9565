-- Admits one call against up to two scopes (instance, then service), atomically.
-- KEYS, four per scope: window (zset: id -> admitted at), in flight (zset: id -> lease end),
--                       quota (counter for the day), peak in flight
-- ARGV: id, lease, scopes, then five per scope: rate, window ms, concurrent, quota, quota ttl s
-- Answers {0, 0} when admitted, {1, scope index} when that scope's quota counter is missing (the
-- caller seeds it from the recorded usage and asks again), else {refusing code (607, 606, 615), scope index}.
-- Time is Redis's own clock, so processes whose clocks disagree still share one window and one
-- set of leases.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id = ARGV[1]
local lease = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local function arg(i, k) return tonumber(ARGV[3 + (i - 1) * 5 + k]) end
local function key(i, k) return KEYS[(i - 1) * 4 + k] end

for i = 1, n do
  local used = redis.call('GET', key(i, 3))
  if not used then return {1, i} end
  if tonumber(used) >= arg(i, 4) then return {607, i} end
end
for i = 1, n do
  redis.call('ZREMRANGEBYSCORE', key(i, 1), '-inf', now - arg(i, 2))
  if redis.call('ZCARD', key(i, 1)) >= arg(i, 1) then return {606, i} end
end
for i = 1, n do
  redis.call('ZREMRANGEBYSCORE', key(i, 2), '-inf', now)
  if redis.call('ZCARD', key(i, 2)) >= arg(i, 3) then return {615, i} end
end
for i = 1, n do
  redis.call('ZADD', key(i, 1), now, id)
  redis.call('PEXPIRE', key(i, 1), arg(i, 2) + 1000)
  redis.call('ZADD', key(i, 2), now + lease, id)
  redis.call('PEXPIRE', key(i, 2), lease + 1000)
  redis.call('INCR', key(i, 3))
  redis.call('EXPIRE', key(i, 3), arg(i, 5))
  local inflight = redis.call('ZCARD', key(i, 2))
  if inflight > tonumber(redis.call('GET', key(i, 4)) or '0') then redis.call('SET', key(i, 4), inflight) end
end
return {0, 0}
