-- The replicated-map write protocol, the one copy every script that changes a map is composed with
-- (Pulse prepends this file to the script when it loads it): the hash change, the revision bump
-- (=rev), the last kind (=kind) and the update message replicas apply, in Go Pulse's wire format.
-- A message is published by rmap_publish only, so a layout that needs another command (SPUBLISH,
-- say) changes this one place.

-- Publishes one update message on a map's channel.
local function rmap_publish(channel, message)
    redis.call('PUBLISH', channel, message)
end

-- S(x): the 4-byte little-endian length of x, then its bytes.
local function rmap_framed(s)
    return struct.pack('<ic0', #s, s)
end

-- Bumps the revision and records the kind of the change; returns the new revision as text.
local function rmap_bump(content, kind)
    local rev = string.format('%d', redis.call('HINCRBY', content, '=rev', 1))
    redis.call('HSET', content, '=kind', kind)
    return rev
end

-- Announces that key now holds value (the caller wrote it); returns the new revision.
local function rmap_changed(content, channel, key, value)
    local rev = rmap_bump(content, 'set')
    rmap_publish(channel, 'set:' .. rmap_framed(key) .. rmap_framed(value) .. rmap_framed(rev))
    return rev
end

-- Sets key to value; returns the new revision.
local function rmap_set(content, channel, key, value)
    redis.call('HSET', content, key, value)
    return rmap_changed(content, channel, key, value)
end

-- Sets key to the list (a Lua table of strings) stored as JSON; returns the stored encoding.
local function rmap_set_list(content, channel, key, list)
    local value = cjson.encode(list)
    rmap_set(content, channel, key, value)
    return value
end

-- Deletes key, which the caller knows to exist; returns the new revision.
local function rmap_del(content, channel, key)
    redis.call('HDEL', content, key)
    local rev = rmap_bump(content, 'del')
    rmap_publish(channel, 'del:' .. rmap_framed(key) .. rmap_framed(rev))
    return rev
end

-- Empties the map, keeping the tombstone (=rev, =kind) so that revisions keep growing; kind is
-- 'reset' or 'destroy'. Returns the new revision.
local function rmap_clear(content, channel, kind)
    local rev = string.format('%d', redis.call('HINCRBY', content, '=rev', 1))
    redis.call('DEL', content)
    redis.call('HSET', content, '=rev', rev, '=kind', kind)
    rmap_publish(channel, kind .. ':' .. rev)
    return rev
end

-- Applies the map's TTL (ttl in ms, 0: none): always for a sliding one, only when the hash has none
-- for an absolute one. PTTL instead of EXPIRE ... NX, so that it works on Redis 6.2.
local function rmap_apply_ttl(content, ttl, mode)
    ttl = tonumber(ttl)
    if ttl > 0 and (mode == 'sliding' or redis.call('PTTL', content) == -1) then
        redis.call('PEXPIRE', content, ttl)
    end
end

-- The items of a list value: a JSON array of strings, or (written before lists were JSON) a
-- comma-separated text whose empty parts are dropped.
local function rmap_list(value)
    local ok, decoded = pcall(cjson.decode, value)
    if ok and type(decoded) == 'table' then
        return decoded
    end
    local list = {}
    for part in string.gmatch(value, '[^,]+') do
        list[#list + 1] = part
    end
    return list
end
