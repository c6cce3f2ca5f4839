-- Appends ARGV[4..] to the JSON list stored at ARGV[3] (duplicates allowed).
-- Returns the stored encoding afterwards (nil if the key is absent and nothing was given).
local content, channel = KEYS[1], KEYS[2]
local key = ARGV[3]

local current = redis.call('HGET', content, key)
local result = current
if #ARGV > 3 then
    local list = {}
    if current then
        local ok, decoded = pcall(cjson.decode, current)
        if ok and type(decoded) == 'table' then
            list = decoded
        else
            -- a value written before lists were JSON: comma-separated, empty parts dropped
            for part in string.gmatch(current, '[^,]+') do
                list[#list + 1] = part
            end
        end
    end
    for i = 4, #ARGV do
        list[#list + 1] = ARGV[i]
    end
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
