-- Sets ARGV[3] to ARGV[4] only if the key is absent. Returns 1 if it was set, else 0.
local content, channel = KEYS[1], KEYS[2]
local key, value = ARGV[3], ARGV[4]

local result = 0
if not redis.call('HGET', content, key) then
    redis.call('HSET', content, key, value)
    local rev = string.format('%d', redis.call('HINCRBY', content, '=rev', 1))
    redis.call('HSET', content, '=kind', 'set')
    redis.call('PUBLISH', channel, 'set:' .. struct.pack('<ic0', #key, key)
        .. struct.pack('<ic0', #value, value) .. struct.pack('<ic0', #rev, rev))
    result = 1
end

local ttl = tonumber(ARGV[1])
if ttl > 0 and (ARGV[2] == 'sliding' or redis.call('PTTL', content) == -1) then
    redis.call('PEXPIRE', content, ttl)
end
return result
