-- Empties the map, keeping a tombstone (=rev, =kind) so revisions keep growing. Returns the revision.
local content, channel = KEYS[1], KEYS[2]

local rev = rmap_clear(content, channel, 'reset')

rmap_apply_ttl(content, ARGV[1], ARGV[2])
return rev
