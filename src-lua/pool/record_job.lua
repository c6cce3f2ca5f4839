-- Records in one step that worker ARGV[1] runs job ARGV[2] with payload ARGV[3]: appends the key to
-- the worker's job list unless it is listed already, then sets the job's payload, each change
-- published in the replicated-map wire format, so every replica (a Go node's too) sees the messages
-- a list append and a set would send. The worker does not need the list back: returns its length.
-- KEYS[1], KEYS[2]: the jobs map's hash and channel; KEYS[3], KEYS[4]: the payloads map's.
local jobs, jobs_channel, payloads, payloads_channel = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local worker, key, payload = ARGV[1], ARGV[2], ARGV[3]

local current = redis.call('HGET', jobs, worker)
local list = {}
if current then
    list = rmap_list(current)
end
local listed = false
for _, item in ipairs(list) do
    if item == key then
        listed = true
        break
    end
end
if not listed then
    list[#list + 1] = key
    rmap_set_list(jobs, jobs_channel, worker, list)
end

rmap_set(payloads, payloads_channel, key, payload)
return #list
