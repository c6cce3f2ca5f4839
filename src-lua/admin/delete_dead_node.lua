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

-- S(x): the 4-byte little-endian length, then the bytes
local function framed(s)
    return struct.pack('<ic0', #s, s)
end

if redis.call('HGET', keepalive, node) ~= seen then
    return 0
end

redis.call('DEL', stream)
if redis.call('EXISTS', registry) == 1 then
    local rev = redis.call('HINCRBY', registry, '=rev', 1)
    redis.call('DEL', registry)
    redis.call('HSET', registry, '=rev', rev, '=kind', 'destroy')
    redis.call('PUBLISH', registry_updates, 'destroy:' .. string.format('%d', rev))
end

redis.call('HDEL', keepalive, node)
local rev = string.format('%d', redis.call('HINCRBY', keepalive, '=rev', 1))
redis.call('HSET', keepalive, '=kind', 'del')
redis.call('PUBLISH', updates, 'del:' .. framed(node) .. framed(rev))
return 1
