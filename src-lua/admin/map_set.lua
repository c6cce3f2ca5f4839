-- Sets key ARGV[1] of a replicated map to ARGV[2] the way every Pulse node writes a map: the hash, its
-- revision and last kind, and the update message replicas apply, in one step. Refuses to create a map
-- that does not exist unless ARGV[3] is "1", so a mistyped map name writes nothing.
-- KEYS[1] the map's hash, KEYS[2] its update channel.
-- Returns {1, previous value or "", new revision, existed 0/1}, or {0, "", "", 0} when refused.
local content, channel = KEYS[1], KEYS[2]
local key, value, create = ARGV[1], ARGV[2], ARGV[3]

if create ~= '1' and redis.call('EXISTS', content) == 0 then
    return {0, '', '', 0}
end
local previous = redis.call('HGET', content, key)
local existed = previous and 1 or 0
local rev = rmap_set(content, channel, key, value)
return {1, previous or '', rev, existed}
