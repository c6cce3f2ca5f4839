-- Sets ARGV[3] to ARGV[5] if its current value is exactly ARGV[4] (an absent key matches nothing).
-- Returns the value found before, or nil if the key was absent.
local content, channel = KEYS[1], KEYS[2]
local key, expected, value = ARGV[3], ARGV[4], ARGV[5]

local current = redis.call('HGET', content, key)
if current and current == expected then
    redis.call('HSET', content, key, value)
    local rev = string.format('%d', redis.call('HINCRBY', content, '=rev', 1))
    redis.call('HSET', content, '=kind', 'set')
    redis.call('PUBLISH', channel, 'set:' .. struct.pack('<ic0', #key, key)
        .. struct.pack('<ic0', #value, value) .. struct.pack('<ic0', #rev, rev))
end

local ttl = tonumber(ARGV[1])
if ttl > 0 and (ARGV[2] == 'sliding' or redis.call('PTTL', content) == -1) then
    redis.call('PEXPIRE', content, ttl)
end
return current
