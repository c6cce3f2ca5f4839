-- Trims a stream to ARGV[1] entries, but never removes an event that a consumer group delivered and
-- has not acknowledged yet: approximate trimming alone can delete such events, losing them silently.
-- KEYS[1] stream key. Returns the number of entries removed.
local key = KEYS[1]
local maxlen = tonumber(ARGV[1])

local function before(a, b)
    local ams, aseq = string.match(a, '^(%d+)-(%d+)$')
    local bms, bseq = string.match(b, '^(%d+)-(%d+)$')
    ams, aseq, bms, bseq = tonumber(ams), tonumber(aseq), tonumber(bms), tonumber(bseq)
    return ams < bms or (ams == bms and aseq < bseq)
end

local length = redis.call('XLEN', key)
if length <= maxlen then
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

-- the first entry a trim by count would keep
local excess = length - maxlen
local head = redis.call('XRANGE', key, '-', '+', 'COUNT', excess + 1)
local keep_from = head[#head][1]
if oldest_pending and before(oldest_pending, keep_from) then
    keep_from = oldest_pending
end
return redis.call('XTRIM', key, 'MINID', keep_from)
