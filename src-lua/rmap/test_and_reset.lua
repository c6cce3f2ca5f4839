-- Resets the map if every key ARGV[3..n+2] holds exactly the value ARGV[n+3..2n+2] (absent keys match
-- nothing; no keys at all always match). Returns 1 if the map was reset, else 0.
local content, channel = KEYS[1], KEYS[2]

local n = (#ARGV - 2) / 2
local matched = 1
for i = 1, n do
    if redis.call('HGET', content, ARGV[2 + i]) ~= ARGV[2 + n + i] then
        matched = 0
        break
    end
end
if matched == 1 then
    rmap_clear(content, channel, 'reset')
end

-- also after a failed test: a sliding TTL counts every write attempt
rmap_apply_ttl(content, ARGV[1], ARGV[2])
return matched
