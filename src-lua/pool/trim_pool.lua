-- Removes from the pool stream the events every consumer group has delivered and acknowledged:
-- those before both the group's last delivered id and its oldest pending event. Without a group
-- (no worker node ever started) nothing is removed, so early dispatches wait for the first one.
-- KEYS[1] pool stream key. Returns the number of entries removed.
local key = KEYS[1]

local function before(a, b)
    local ams, aseq = string.match(a, '^(%d+)-(%d+)$')
    local bms, bseq = string.match(b, '^(%d+)-(%d+)$')
    ams, aseq, bms, bseq = tonumber(ams), tonumber(aseq), tonumber(bms), tonumber(bseq)
    return ams < bms or (ams == bms and aseq < bseq)
end

if redis.call('EXISTS', key) == 0 then
    return 0
end
local groups = redis.call('XINFO', 'GROUPS', key)
if #groups == 0 then
    return 0
end
local keep_from = nil
for _, group in ipairs(groups) do
    local info = {}
    for i = 1, #group, 2 do
        info[group[i]] = group[i + 1]
    end
    -- the first entry this group may still need: the one after its last delivered id...
    local next_entries = redis.call('XRANGE', key, '(' .. info['last-delivered-id'], '+', 'COUNT', 1)
    local first_needed = next_entries[1] and next_entries[1][1] or nil
    -- ...or its oldest pending one
    if tonumber(info['pending']) > 0 then
        local summary = redis.call('XPENDING', key, info['name'])
        if summary[2] and (not first_needed or before(summary[2], first_needed)) then
            first_needed = summary[2]
        end
    end
    if first_needed == nil then
        -- this group needs nothing currently in the stream: everything up to the end may go
        local last = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)
        if #last == 0 then
            return 0
        end
        local ms, seq = string.match(last[1][1], '^(%d+)-(%d+)$')
        first_needed = ms .. '-' .. (tonumber(seq) + 1)
    end
    if not keep_from or before(first_needed, keep_from) then
        keep_from = first_needed
    end
end
return redis.call('XTRIM', key, 'MINID', keep_from)
