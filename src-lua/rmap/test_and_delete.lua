-- Deletes ARGV[3] if its current value is exactly ARGV[4]. Returns the value found, or nil if absent.
local content, channel = KEYS[1], KEYS[2]
local key, expected = ARGV[3], ARGV[4]

local current = redis.call('HGET', content, key)
if current and current == expected then
    rmap_del(content, channel, key)
end

rmap_apply_ttl(content, ARGV[1], ARGV[2])
return current
