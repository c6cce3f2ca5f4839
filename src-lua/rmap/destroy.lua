-- Like reset, but records kind "destroy": replicas empty their copy; the tombstone stays so that a
-- later generation of the map keeps increasing revisions. Returns the revision.
local content, channel = KEYS[1], KEYS[2]

local rev = string.format('%d', redis.call('HINCRBY', content, '=rev', 1))
redis.call('DEL', content)
redis.call('HSET', content, '=rev', rev, '=kind', 'destroy')
redis.call('PUBLISH', channel, 'destroy:' .. rev)

local ttl = tonumber(ARGV[1])
if ttl > 0 and (ARGV[2] == 'sliding' or redis.call('PTTL', content) == -1) then
    redis.call('PEXPIRE', content, ttl)
end
return rev
