-- Requeues event ARGV[2] that group ARGV[1] read but never acknowledged: adds a copy with the same
-- fields at the end of the stream (so the group delivers it again, to whichever consumer reads next)
-- and acknowledges the original, in one step. Refuses an event unacknowledged for less than
-- ARGV[3] milliseconds: it may still be in the hands of a live consumer.
-- KEYS[1] the stream.
-- Returns {1, new id} requeued, {0, ""} not pending, {2, idle ms} too recent, {3, ""} the entry was
-- trimmed away (nothing to requeue; it stays pending).
local stream = KEYS[1]
local group, id, min_idle = ARGV[1], ARGV[2], tonumber(ARGV[3])

local pending = redis.call('XPENDING', stream, group, id, id, 1)
if #pending == 0 then
    return {0, ''}
end
local idle = pending[1][3]
if idle < min_idle then
    return {2, tostring(idle)}
end
local entry = redis.call('XRANGE', stream, id, id)
if #entry == 0 then
    return {3, ''}
end
local copy = redis.call('XADD', stream, '*', unpack(entry[1][2]))
redis.call('XACK', stream, group, id)
return {1, copy}
