-- Deletes ARGV[3]. Returns the value it had, or nil if it was absent (then nothing is published).
local content, channel = KEYS[1], KEYS[2]
local key = ARGV[3]

local current = redis.call('HGET', content, key)
if current then
    rmap_del(content, channel, key)
end

rmap_apply_ttl(content, ARGV[1], ARGV[2])
return current
