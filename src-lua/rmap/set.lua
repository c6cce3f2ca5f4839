-- Sets ARGV[3] to ARGV[4]. Returns {existed (0 or 1), previous value or "", new revision}.
local content, channel = KEYS[1], KEYS[2]
local key, value = ARGV[3], ARGV[4]

local previous = redis.call('HGET', content, key)
redis.call('HSET', content, key, value)
local rev = string.format('%d', redis.call('HINCRBY', content, '=rev', 1))
redis.call('HSET', content, '=kind', 'set')
redis.call('PUBLISH', channel, 'set:' .. struct.pack('<ic0', #key, key)
    .. struct.pack('<ic0', #value, value) .. struct.pack('<ic0', #rev, rev))

local ttl = tonumber(ARGV[1])
if ttl > 0 and (ARGV[2] == 'sliding' or redis.call('PTTL', content) == -1) then
    redis.call('PEXPIRE', content, ttl)
end

if previous then
    return {1, previous, rev}
end
return {0, '', rev}
