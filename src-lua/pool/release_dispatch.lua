-- Releases the dispatch guard of job ARGV[1] if it still holds the token ARGV[2].
-- KEYS[1] pending-jobs map hash, KEYS[2] its update channel. Returns 1 if released, else 0.
local pending, channel = KEYS[1], KEYS[2]
local key, token = ARGV[1], ARGV[2]

if redis.call('HGET', pending, key) ~= token then
    return 0
end
rmap_del(pending, channel, key)
return 1
