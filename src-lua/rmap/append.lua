-- Appends ARGV[4..] to the JSON list stored at ARGV[3] (duplicates allowed).
-- Returns the stored encoding afterwards (nil if the key is absent and nothing was given).
local content, channel = KEYS[1], KEYS[2]
local key = ARGV[3]

local current = redis.call('HGET', content, key)
local result = current
if #ARGV > 3 then
    local list = {}
    if current then
        list = rmap_list(current)
    end
    for i = 4, #ARGV do
        list[#list + 1] = ARGV[i]
    end
    result = rmap_set_list(content, channel, key, list)
end

rmap_apply_ttl(content, ARGV[1], ARGV[2])
return result
