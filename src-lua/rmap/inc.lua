-- Adds the integer ARGV[4] to ARGV[3] (an absent key counts as 0). Returns the new value as a string.
local content, channel = KEYS[1], KEYS[2]
local key = ARGV[3]

redis.call('HINCRBY', content, key, ARGV[4])
local value = redis.call('HGET', content, key)
rmap_changed(content, channel, key, value)

rmap_apply_ttl(content, ARGV[1], ARGV[2])
return value
