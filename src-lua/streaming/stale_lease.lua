-- Takes the idle-event lease of a sink if it is free or expired.
-- KEYS[1] the lease key sink:<name>:stalelease. ARGV[1] new expiry (Unix ms), ARGV[2] now (Unix ms),
-- ARGV[3] lease duration in ms. Returns 1 if this caller holds the lease now, else 0.
local current = redis.call('GET', KEYS[1])
if not current or tonumber(current) < tonumber(ARGV[2]) then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
    return 1
end
return 0
