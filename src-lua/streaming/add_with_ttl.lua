-- Appends an event and applies the stream's TTL atomically.
-- KEYS[1] stream key. ARGV[1] TTL in ms, ARGV[2] "sliding" or "absolute", ARGV[3] "1" to refuse to
-- create a missing stream (NOMKSTREAM), ARGV[4] event name, ARGV[5] payload, ARGV[6] topic ("" for none),
-- then any number of name, value pairs: the trace context fields written after Pulse's own.
-- Returns the new entry's id, or nil if the stream is missing and ARGV[3] is "1".
local key = KEYS[1]
local args = {'XADD', key}
if ARGV[3] == '1' then
    args[#args + 1] = 'NOMKSTREAM'
end
args[#args + 1] = '*'
args[#args + 1] = 'n'
args[#args + 1] = ARGV[4]
args[#args + 1] = 'p'
args[#args + 1] = ARGV[5]
if ARGV[6] ~= '' then
    args[#args + 1] = 't'
    args[#args + 1] = ARGV[6]
end
for i = 7, #ARGV - 1, 2 do
    args[#args + 1] = ARGV[i]
    args[#args + 1] = ARGV[i + 1]
end
local id = redis.call(unpack(args))
if not id then
    return nil
end
local ttl = tonumber(ARGV[1])
if ttl > 0 and (ARGV[2] == 'sliding' or redis.call('PTTL', key) == -1) then
    redis.call('PEXPIRE', key, ttl)
end
return id
