-- Plays a Go Pulse node: the set mutation exactly as the specification describes Go's script,
-- with Go's argument layout (ARGV[1] key, ARGV[2] value) and native struct packing.
local cur = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local rev = redis.call('HINCRBY', KEYS[1], '=rev', 1)
redis.call('HSET', KEYS[1], '=kind', 'set')
local srev = tostring(rev)
redis.call('PUBLISH', KEYS[2], 'set:' .. struct.pack('ic0', #ARGV[1], ARGV[1])
    .. struct.pack('ic0', #ARGV[2], ARGV[2]) .. struct.pack('ic0', #srev, srev))
if cur then
    return {1, cur, srev}
end
return {0, '', srev}
