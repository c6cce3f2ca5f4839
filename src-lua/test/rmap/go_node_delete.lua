-- Plays a Go Pulse node: the delete mutation as the specification describes Go's script.
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then
    return nil
end
redis.call('HDEL', KEYS[1], ARGV[1])
local rev = redis.call('HINCRBY', KEYS[1], '=rev', 1)
redis.call('HSET', KEYS[1], '=kind', 'del')
local srev = tostring(rev)
redis.call('PUBLISH', KEYS[2], 'del:' .. struct.pack('ic0', #ARGV[1], ARGV[1]) .. struct.pack('ic0', #srev, srev))
return cur
