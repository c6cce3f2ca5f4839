-- Claims the right to dispatch job ARGV[1].
-- KEYS[1] payload map hash, KEYS[2] pending-jobs map hash, KEYS[3] pending-jobs update channel.
-- ARGV[1] job key, ARGV[2] now (Unix ns), ARGV[3] guard deadline (Unix ns), ARGV[4] the most
-- dispatches in flight (0: no limit).
-- Returns {1, deadline} claimed, {2, guard} already dispatched, {3, ""} already running,
-- {4, guard} malformed guard, {5, count} too many dispatches in flight.
local payloads, pending, channel = KEYS[1], KEYS[2], KEYS[3]
local key, now, deadline = ARGV[1], ARGV[2], ARGV[3]

-- compares two decimal strings of digits as unsigned numbers without floating point
local function not_before(a, b)
    if #a ~= #b then
        return #a > #b
    end
    return a >= b
end

if redis.call('HEXISTS', payloads, key) == 1 then
    return {3, ''}
end
local guard = redis.call('HGET', pending, key)
if guard then
    if not string.match(guard, '^%d+$') then
        return {4, guard}
    end
    if not_before(guard, now) then
        return {2, guard}
    end
end

local limit = tonumber(ARGV[4])
if limit > 0 then
    local count = redis.call('HLEN', pending)
    if redis.call('HEXISTS', pending, '=rev') == 1 then
        count = count - 1
    end
    if redis.call('HEXISTS', pending, '=kind') == 1 then
        count = count - 1
    end
    if count >= limit then
        return {5, tostring(count)}
    end
end

rmap_set(pending, channel, key, deadline)
return {1, deadline}
