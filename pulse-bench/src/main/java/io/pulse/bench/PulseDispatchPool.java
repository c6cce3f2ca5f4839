package io.pulse.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.pulse.core.KeyLayout;
import io.pulse.core.PulseRedis;
import io.pulse.pool.Job;
import io.pulse.pool.JobHandler;
import io.pulse.pool.Node;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Pulse side of the dispatch benchmark: a pool of its own with one full node hosting the workers
 * (whose {@code start} and {@code stop} return at once) and one client-only node that dispatches,
 * each node on its own {@link PulseRedis} as separate processes would be; all options at their
 * defaults. A dispatch is {@code Node.dispatchJob} on the client-only node; a reset stops every job
 * with {@code stopJob} and waits until the pool's payloads, jobs and pending-guard maps in Redis hold
 * none.
 */
final class PulseDispatchPool implements DispatchSide {

    private static final Duration RESET_LIMIT = Duration.ofMinutes(2);

    private final String pool = "bench-dispatch-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    private final String[] keys;
    private final PulseRedis fullRedis;
    private final PulseRedis clientRedis;
    private final Node full;
    private final Node client;
    private final RedisClient adminClient;
    private final StatefulRedisConnection<String, String> admin;
    private final AtomicLong starts = new AtomicLong();

    PulseDispatchPool(String redisUrl, int workers, String[] keys) {
        this.keys = keys;
        this.adminClient = RedisClient.create(redisUrl);
        this.admin = adminClient.connect();
        this.fullRedis = PulseRedis.connect(redisUrl);
        this.clientRedis = PulseRedis.connect(redisUrl);
        this.full = Node.join(pool, fullRedis);
        JobHandler quick = new JobHandler() {
            @Override
            public void start(Job job) {
                starts.incrementAndGet();
            }

            @Override
            public void stop(String key) {
            }
        };
        for (int w = 0; w < workers; w++) {
            full.addWorker(quick);
        }
        this.client = Node.builder(pool, clientRedis).clientOnly().join();
    }

    @Override
    public String name() {
        return "pulse";
    }

    @Override
    public void dispatch(int index) {
        client.dispatchJob(keys[index], StreamAddBenchmark.PAYLOAD);
    }

    /** How many times a handler's {@code start} ran. */
    long starts() {
        return starts.get();
    }

    @Override
    public void reset() throws Exception {
        for (String key : keys) {
            client.stopJob(key);
        }
        RedisCommands<String, String> redis = admin.sync();
        long deadline = System.nanoTime() + RESET_LIMIT.toNanos();
        while (userFields(redis, KeyLayout.PoolMap.JOB_PAYLOADS) + userFields(redis, KeyLayout.PoolMap.JOBS)
                + userFields(redis, KeyLayout.PoolMap.PENDING_JOBS) > 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("pool " + pool + ": jobs still running " + RESET_LIMIT + " after "
                        + "stopping them all");
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /** Fields of a pool map's hash in Redis other than its bookkeeping ({@code =rev}, {@code =kind}). */
    private long userFields(RedisCommands<String, String> redis, KeyLayout.PoolMap map) {
        Map<String, String> all = redis.hgetall(BenchKeys.LAYOUT.mapContentKey(BenchKeys.LAYOUT.poolMap(pool, map)));
        return all.keySet().stream().filter(k -> !k.startsWith("=")).count();
    }

    @Override
    public void close() {
        try {
            full.shutdown();
            client.close();
            full.close();
        } finally {
            clientRedis.close();
            fullRedis.close();
            try {
                BenchKeys.deleteMatching(admin.sync(), "*" + pool + "*");
            } finally {
                admin.close();
                adminClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }
}
