-- Adds the integer ARGV[4] to ARGV[3] (an absent key counts as 0). Returns the new value as a string.
local content, channel = KEYS[1], KEYS[2]
local key = ARGV[3]

redis.call('HINCRBY', content, key, ARGV[4])
local value = redis.call('HGET', content, key)
local rev = string.format('%d', redis.call('HINCRBY', content, '=rev', 1))
redis.call('HSET', content, '=kind', 'set')
redis.call('PUBLISH', channel, 'set:' .. struct.pack('<ic0', #key, key)
    .. struct.pack('<ic0', #value, value) .. struct.pack('<ic0', #rev, rev))

local ttl = tonumber(ARGV[1])
if ttl > 0 and (ARGV[2] == 'sliding' or redis.call('PTTL', content) == -1) then
    redis.call('PEXPIRE', content, ttl)
end
return value
