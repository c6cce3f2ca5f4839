-- Deletes what a dead pool node left behind, as a live node's dead-node sweep does: its stream (and
-- the tombstone of that stream's sink registry, if it has one) and its entry in the node keep-alive
-- map, published as a map deletion. Only if the keep-alive still holds ARGV[2], the value the caller
-- judged too old: a node that came back meanwhile is left alone.
-- KEYS[1] node keep-alive hash, KEYS[2] its update channel, KEYS[3] the node's stream,
-- KEYS[4] the stream's sink registry hash, KEYS[5] that registry's update channel.
-- ARGV[1] node id, ARGV[2] the keep-alive value seen.
-- Returns 1 deleted, 0 the keep-alive changed (or is gone).
local keepalive, updates, stream, registry, registry_updates = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local node, seen = ARGV[1], ARGV[2]

if redis.call('HGET', keepalive, node) ~= seen then
    return 0
end

redis.call('DEL', stream)
if redis.call('EXISTS', registry) == 1 then
    rmap_clear(registry, registry_updates, 'destroy')
end

rmap_del(keepalive, updates, node)
return 1
