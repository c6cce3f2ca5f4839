-- Sets ARGV[3] to ARGV[5] if its current value is exactly ARGV[4] (an absent key matches nothing).
-- Returns the value found before, or nil if the key was absent.
local content, channel = KEYS[1], KEYS[2]
local key, expected, value = ARGV[3], ARGV[4], ARGV[5]

local current = redis.call('HGET', content, key)
if current and current == expected then
    rmap_set(content, channel, key, value)
end

rmap_apply_ttl(content, ARGV[1], ARGV[2])
return current
