-- Marks several workers as being removed ("-") in the workers map in one step, each a map write
-- replicas apply, so no node sees some of a leaving node's workers gone and the others still there
-- (which would move jobs twice).
-- KEYS[1] workers map hash, KEYS[2] workers map update channel. ARGV worker ids.
-- Returns the number of workers marked.
local content, channel = KEYS[1], KEYS[2]
local marker = '-'
for _, id in ipairs(ARGV) do
    rmap_set(content, channel, id, marker)
end
return #ARGV
