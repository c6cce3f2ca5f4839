-- Like reset, but records kind "destroy": replicas empty their copy; the tombstone stays so that a
-- later generation of the map keeps increasing revisions. Returns the revision.
local content, channel = KEYS[1], KEYS[2]

local rev = rmap_clear(content, channel, 'destroy')

rmap_apply_ttl(content, ARGV[1], ARGV[2])
return rev
