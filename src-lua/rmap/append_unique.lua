-- Appends each of ARGV[4..] that is not in the JSON list stored at ARGV[3] yet (nor given earlier in
-- this call). Returns the stored encoding afterwards; writes nothing if nothing was appended.
local content, channel = KEYS[1], KEYS[2]
local key = ARGV[3]

local current = redis.call('HGET', content, key)
local list = {}
if current then
    list = rmap_list(current)
end
local present = {}
for _, item in ipairs(list) do
    present[item] = true
end
local appended = false
for i = 4, #ARGV do
    if not present[ARGV[i]] then
        list[#list + 1] = ARGV[i]
        present[ARGV[i]] = true
        appended = true
    end
end

local result = current
if appended then
    result = rmap_set_list(content, channel, key, list)
end

rmap_apply_ttl(content, ARGV[1], ARGV[2])
return result
