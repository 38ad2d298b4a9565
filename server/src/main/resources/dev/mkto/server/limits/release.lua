-- Ends one call; with refund, takes it back out of the window and the quota.
-- KEYS, three per scope: window, in flight, quota.  ARGV: id, scopes, refund (1 or 0)
local id = ARGV[1]
local n = tonumber(ARGV[2])
local refund = ARGV[3] == '1'
for i = 1, n do
  local base = (i - 1) * 3
  redis.call('ZREM', KEYS[base + 2], id)
  if refund then
    redis.call('ZREM', KEYS[base + 1], id)
    if redis.call('DECR', KEYS[base + 3]) < 0 then redis.call('SET', KEYS[base + 3], 0) end
  end
end
return 0
