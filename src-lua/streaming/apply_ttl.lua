-- Applies a stream's TTL: always for a sliding TTL, only if the key has none for an absolute one.
-- KEYS[1] stream key. ARGV[1] TTL in ms, ARGV[2] "sliding" or "absolute". Returns 1 if set, else 0.
local ttl = tonumber(ARGV[1])
if ttl > 0 and (ARGV[2] == 'sliding' or redis.call('PTTL', KEYS[1]) == -1) then
    return redis.call('PEXPIRE', KEYS[1], ttl)
end
return 0
