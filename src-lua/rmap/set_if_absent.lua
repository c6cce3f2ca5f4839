-- Sets ARGV[3] to ARGV[4] only if the key is absent. Returns 1 if it was set, else 0.
local content, channel = KEYS[1], KEYS[2]
local key, value = ARGV[3], ARGV[4]

local result = 0
if not redis.call('HGET', content, key) then
    rmap_set(content, channel, key, value)
    result = 1
end

rmap_apply_ttl(content, ARGV[1], ARGV[2])
return result
