-- One trimming step of a stream towards ARGV[1] entries. It never removes an event that a consumer
-- group delivered and has not acknowledged yet (approximate trimming alone could delete such events,
-- losing them silently), and its cost does not grow with the stream: it reads no entry, only XLEN,
-- XINFO GROUPS and one XPENDING summary per group holding pending events, and it removes at most
-- ARGV[2] entries.
-- KEYS[1] stream key. ARGV[1] length to keep, ARGV[2] most entries one step may remove.
-- Returns the number of entries removed.
local key = KEYS[1]
local maxlen = tonumber(ARGV[1])
local step = tonumber(ARGV[2])

local function before(a, b)
    local ams, aseq = string.match(a, '^(%d+)-(%d+)$')
    local bms, bseq = string.match(b, '^(%d+)-(%d+)$')
    ams, aseq, bms, bseq = tonumber(ams), tonumber(aseq), tonumber(bms), tonumber(bseq)
    return ams < bms or (ams == bms and aseq < bseq)
end

local excess = redis.call('XLEN', key) - maxlen
if excess <= 0 then
    return 0
end

-- the oldest entry still pending in any group bounds the trim
local oldest_pending = nil
for _, group in ipairs(redis.call('XINFO', 'GROUPS', key)) do
    local info = {}
    for i = 1, #group, 2 do
        info[group[i]] = group[i + 1]
    end
    if tonumber(info['pending']) > 0 then
        local summary = redis.call('XPENDING', key, info['name'])
        if summary[2] and (not oldest_pending or before(summary[2], oldest_pending)) then
            oldest_pending = summary[2]
        end
    end
end

if not oldest_pending then
    if excess <= step then
        return redis.call('XTRIM', key, 'MAXLEN', maxlen)
    end
    -- a long backlog just released: whole radix-tree nodes, at most a step's worth now
    return redis.call('XTRIM', key, 'MAXLEN', '~', maxlen, 'LIMIT', step)
end

-- Remove only entries older than the oldest pending one, and at most the excess, always the oldest:
-- then neither the pending event nor the newest maxlen entries can go, without looking for the id at
-- position "excess" (which would read every entry up to it). "~" removes whole radix-tree nodes only,
-- so the stream may keep up to one node of entries more than maxlen while events are pending; behind
-- a stuck event (the oldest entry left), the step removes nothing and costs next to nothing.
if excess > step then
    excess = step
end
return redis.call('XTRIM', key, 'MINID', '~', oldest_pending, 'LIMIT', excess)
