-- Asks the pool to stop job ARGV[1], as a node's stopJob does: an "s" event carrying the JobKey record
-- ARGV[2] on the pool stream. Refuses a key without payload (no such job) and a pool without stream
-- (no node ever joined), so a typo stops nothing.
-- KEYS[1] the pool's job-payloads hash, KEYS[2] the pool stream.
-- Returns {1, event id} added, {0, ""} no such job, {-1, ""} no pool stream.
local payloads, stream = KEYS[1], KEYS[2]
local key, record = ARGV[1], ARGV[2]

if redis.call('HEXISTS', payloads, key) == 0 then
    return {0, ''}
end
if redis.call('EXISTS', stream) == 0 then
    return {-1, ''}
end
-- no MAXLEN: trimming here could drop events a node has read but not acknowledged
return {1, redis.call('XADD', stream, '*', 'n', 's', 'p', record)}
