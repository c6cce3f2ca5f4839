-- Sets ARGV[3] to ARGV[4]. Returns {existed (0 or 1), previous value or "", new revision}.
local content, channel = KEYS[1], KEYS[2]
local key, value = ARGV[3], ARGV[4]

local previous = redis.call('HGET', content, key)
local rev = rmap_set(content, channel, key, value)
rmap_apply_ttl(content, ARGV[1], ARGV[2])

if previous then
    return {1, previous, rev}
end
return {0, '', rev}
