-- Removes every occurrence of each of ARGV[4..] from the JSON list stored at ARGV[3]; deletes the key
-- when nothing remains. Returns {stored encoding afterwards or "" if deleted (nil if the key is
-- absent), 1 if anything was removed else 0}.
local content, channel = KEYS[1], KEYS[2]
local key = ARGV[3]

local current = redis.call('HGET', content, key)
local result = {current, 0}
if current and #ARGV > 3 then
    local list = {}
    local ok, decoded = pcall(cjson.decode, current)
    if ok and type(decoded) == 'table' then
        list = decoded
    else
        for part in string.gmatch(current, '[^,]+') do
            list[#list + 1] = part
        end
    end
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
        local rev
        if #remaining == 0 then
            redis.call('HDEL', content, key)
            rev = string.format('%d', redis.call('HINCRBY', content, '=rev', 1))
            redis.call('HSET', content, '=kind', 'del')
            redis.call('PUBLISH', channel, 'del:' .. struct.pack('<ic0', #key, key)
                .. struct.pack('<ic0', #rev, rev))
            result = {'', 1}
        else
            local value = cjson.encode(remaining)
            redis.call('HSET', content, key, value)
            rev = string.format('%d', redis.call('HINCRBY', content, '=rev', 1))
            redis.call('HSET', content, '=kind', 'set')
            redis.call('PUBLISH', channel, 'set:' .. struct.pack('<ic0', #key, key)
                .. struct.pack('<ic0', #value, value) .. struct.pack('<ic0', #rev, rev))
            result = {value, 1}
        end
    end
end

local ttl = tonumber(ARGV[1])
if ttl > 0 and (ARGV[2] == 'sliding' or redis.call('PTTL', content) == -1) then
    redis.call('PEXPIRE', content, ttl)
end
return result
