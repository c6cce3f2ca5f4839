-- Deletes key ARGV[1] of a replicated map the way every Pulse node does: the field, a revision bump,
-- the last kind and the update message, in one step; nothing at all when the key is absent.
-- KEYS[1] the map's hash, KEYS[2] its update channel.
-- Returns {1, previous value, new revision} deleted, or {0, "", ""} when the key was absent.
local content, channel = KEYS[1], KEYS[2]
local key = ARGV[1]

local previous = redis.call('HGET', content, key)
if not previous then
    return {0, '', ''}
end
local rev = rmap_del(content, channel, key)
return {1, previous, rev}
