-- Appends each of ARGV[4..] that is not in the JSON list stored at ARGV[3] yet (nor given earlier in
-- this call). Returns the stored encoding afterwards; writes nothing if nothing was appended.
local content, channel = KEYS[1], KEYS[2]
local key = ARGV[3]

local current = redis.call('HGET', content, key)
local list = {}
if current then
    local ok, decoded = pcall(cjson.decode, current)
    if ok and type(decoded) == 'table' then
        list = decoded
    else
        for part in string.gmatch(current, '[^,]+') do
            list[#list + 1] = part
        end
    end
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
    local value = cjson.encode(list)
    redis.call('HSET', content, key, value)
    local rev = string.format('%d', redis.call('HINCRBY', content, '=rev', 1))
    redis.call('HSET', content, '=kind', 'set')
    redis.call('PUBLISH', channel, 'set:' .. struct.pack('<ic0', #key, key)
        .. struct.pack('<ic0', #value, value) .. struct.pack('<ic0', #rev, rev))
    result = value
end

local ttl = tonumber(ARGV[1])
if ttl > 0 and (ARGV[2] == 'sliding' or redis.call('PTTL', content) == -1) then
    redis.call('PEXPIRE', content, ttl)
end
return result
