-- Ends one call; with refund, takes it back out of the window and the quota. Only a call still in
-- flight is ended, so a release that is retried (its first answer was lost) refunds nothing twice.
-- KEYS, three per scope: window, in flight, quota.  ARGV: id, scopes, refund (1 or 0)
local id = ARGV[1]
local n = tonumber(ARGV[2])
local refund = ARGV[3] == '1'
for i = 1, n do
  local base = (i - 1) * 3
  local ended = redis.call('ZREM', KEYS[base + 2], id)
  if refund and ended == 1 then
    redis.call('ZREM', KEYS[base + 1], id)
    -- a missing counter is left missing: the next admission seeds it from the recorded usage
    if redis.call('EXISTS', KEYS[base + 3]) == 1 and redis.call('DECR', KEYS[base + 3]) < 0 then
      redis.call('SET', KEYS[base + 3], 0, 'KEEPTTL')
    end
  end
end
return 0
