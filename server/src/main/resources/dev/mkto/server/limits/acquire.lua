-- Admits one call against up to two scopes (instance, then service), atomically.
-- KEYS, four per scope: window (zset: id -> admitted at), in flight (zset: id -> lease end),
--                       quota (counter for the day), peak in flight
-- ARGV: now, id, lease, scopes, then five per scope: rate, window ms, concurrent, quota, quota ttl s
-- Answers {0, 0} when admitted, else {refusing code (607, 606, 615), scope index}.
local now = tonumber(ARGV[1])
local id = ARGV[2]
local lease = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
local function arg(i, k) return tonumber(ARGV[4 + (i - 1) * 5 + k]) end
local function key(i, k) return KEYS[(i - 1) * 4 + k] end

for i = 1, n do
  if tonumber(redis.call('GET', key(i, 3)) or '0') >= arg(i, 4) then return {607, i} end
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
