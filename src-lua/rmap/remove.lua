-- Removes every occurrence of each of ARGV[4..] from the JSON list stored at ARGV[3]; deletes the key
-- when nothing remains. Returns {stored encoding afterwards or "" if deleted (nil if the key is
-- absent), 1 if anything was removed else 0}.
local content, channel = KEYS[1], KEYS[2]
local key = ARGV[3]

local current = redis.call('HGET', content, key)
local result = {current, 0}
if current and #ARGV > 3 then
    local list = rmap_list(current)
    local unwanted = {}
    for i = 4, #ARGV do
        unwanted[ARGV[i]] = true
    end
    local remaining = {}
    for _, item in ipairs(list) do
        if not unwanted[item] then
            remaining[#remaining + 1] = item
        end
    end
    if #remaining < #list then
        if #remaining == 0 then
            rmap_del(content, channel, key)
            result = {'', 1}
        else
            result = {rmap_set_list(content, channel, key, remaining), 1}
        end
    end
end

rmap_apply_ttl(content, ARGV[1], ARGV[2])
return result
