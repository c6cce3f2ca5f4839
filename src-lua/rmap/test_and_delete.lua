-- Deletes ARGV[3] if its current value is exactly ARGV[4]. Returns the value found, or nil if absent.
local content, channel = KEYS[1], KEYS[2]
local key, expected = ARGV[3], ARGV[4]

local current = redis.call('HGET', content, key)
if current and current == expected then
    redis.call('HDEL', content, key)
    local rev = string.format('%d', redis.call('HINCRBY', content, '=rev', 1))
    redis.call('HSET', content, '=kind', 'del')
    redis.call('PUBLISH', channel, 'del:' .. struct.pack('<ic0', #key, key) .. struct.pack('<ic0', #rev, rev))
end

local ttl = tonumber(ARGV[1])
if ttl > 0 and (ARGV[2] == 'sliding' or redis.call('PTTL', content) == -1) then
    redis.call('PEXPIRE', content, ttl)
end
return current
