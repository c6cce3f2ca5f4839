-- Marks several workers as being removed ("-") in the workers map in one step, publishing each
-- change in the replicated-map wire format, so no node sees some of a leaving node's workers gone
-- and the others still there (which would move jobs twice).
-- KEYS[1] workers map hash, KEYS[2] workers map update channel. ARGV worker ids.
-- Returns the number of workers marked.
local content, channel = KEYS[1], KEYS[2]
local marker = '-'
for _, id in ipairs(ARGV) do
    redis.call('HSET', content, id, marker)
    local rev = string.format('%d', redis.call('HINCRBY', content, '=rev', 1))
    redis.call('HSET', content, '=kind', 'set')
    redis.call('PUBLISH', channel, 'set:' .. struct.pack('<ic0', #id, id)
        .. struct.pack('<ic0', #marker, marker) .. struct.pack('<ic0', #rev, rev))
end
return #ARGV
