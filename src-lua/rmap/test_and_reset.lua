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
    local rev = string.format('%d', redis.call('HINCRBY', content, '=rev', 1))
    redis.call('DEL', content)
    redis.call('HSET', content, '=rev', rev, '=kind', 'reset')
    redis.call('PUBLISH', channel, 'reset:' .. rev)
end

-- also after a failed test: a sliding TTL counts every write attempt
local ttl = tonumber(ARGV[1])
if ttl > 0 and (ARGV[2] == 'sliding' or redis.call('PTTL', content) == -1) then
    redis.call('PEXPIRE', content, ttl)
end
return matched
