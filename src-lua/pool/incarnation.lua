-- Returns the pool's incarnation, writing ARGV[1] first if there is none (a new pool, or a Redis
-- that lost its data). A node that remembers another value knows Redis forgot the pool's state.
-- KEYS[1] incarnation key. ARGV[1] a fresh candidate id.
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])
