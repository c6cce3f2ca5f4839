package io.pulse.bench;

import io.pulse.core.PulseRedis;
import io.pulse.rmap.ReplicatedMap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH benchmark of a local read: the average time of one {@link ReplicatedMap#get} on a replica that
 * holds {@link #keyCount} keys (1,000 by default), beside {@link ConcurrentHashMap#get} on a map with
 * the very same content, in ns/op.
 *
 * <p>Both maps are read with the same sequence of lookup keys, which are separate {@code String}
 * objects from the ones stored in either map (as a key that arrives from elsewhere would be), so both
 * pay a full {@code equals}. {@link #replicatedMapGet} unwraps the {@code Optional} the way callers do
 * ({@code orElse(null)}), which lets the JIT drop it; {@link #replicatedMapGetOptional} hands the
 * {@code Optional} itself to the blackhole, the worst case where it must be allocated.
 *
 * <p>The replica is filled through Redis during setup, so the benchmark needs a Redis at
 * {@link #redisUrl}; its hash is deleted at teardown. Run it through {@link RmapBenchmarks}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReplicatedMapGetBenchmark {

    /** The Redis to fill the replica through. */
    @Param("redis://127.0.0.1:6379")
    public String redisUrl;

    /** How many keys the replica (and the baseline map) holds. */
    @Param("1000")
    public int keyCount;

    private PulseRedis redis;
    private ReplicatedMap map;
    private ConcurrentHashMap<String, String> baseline;
    private String[] lookups;

    /** Per-thread position in the lookup sequence. */
    @State(Scope.Thread)
    public static class Cursor {
        private int next;

        int advance(int length) {
            int i = next;
            next = i + 1 == length ? 0 : i + 1;
            return i;
        }
    }

    /** Fills a fresh map through Redis, waits until the replica shows every key, copies it. */
    @Setup(Level.Trial)
    public void setUp() {
        redis = PulseRedis.connect(redisUrl);
        map = ReplicatedMap.join("bench-get-" + Long.toHexString(ThreadLocalRandom.current().nextLong()), redis);
        List<CompletableFuture<String>> writes = new ArrayList<>(keyCount);
        for (int i = 0; i < keyCount; i++) {
            writes.add(map.setAsync(key(i), "value-" + i + "-" + Integer.toHexString(i * 0x9E3779B9)));
        }
        CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])).join();
        // the last write is visible once this returns; all earlier ones were applied before it
        map.setAndWait(key(keyCount - 1), "value-last");
        if (map.size() != keyCount) {
            throw new IllegalStateException("replica holds " + map.size() + " keys, expected " + keyCount);
        }
        // the baseline holds the replica's own String instances, so neither map shares keys with lookups
        baseline = new ConcurrentHashMap<>(map.snapshot());
        // the same keys in a fixed shuffled order, so that consecutive reads do not walk the tables in order
        List<String> order = new ArrayList<>(keyCount);
        for (int i = 0; i < keyCount; i++) {
            order.add(key(i));
        }
        Collections.shuffle(order, new Random(42));
        lookups = order.toArray(new String[0]);
        for (String k : lookups) {
            if (baseline.get(k) == null || map.get(k).isEmpty()) {
                throw new IllegalStateException("lookup key " + k + " missing");
            }
        }
    }

    private static String key(int i) {
        // built anew on every call: a distinct String from any other with the same text
        return new StringBuilder(12).append("key:").append(i).toString();
    }

    /** Leaves the map, deletes its hash and disconnects. */
    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            map.close();
            byte[] hash = redis.layout().mapContentKey(map.name()).getBytes(StandardCharsets.UTF_8);
            redis.rawCommand(c -> c.del(hash)).orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
        } finally {
            redis.close();
        }
    }

    /** {@code ReplicatedMap.get(key).orElse(null)}: a local read as callers write it. */
    @Benchmark
    public String replicatedMapGet(Cursor cursor) {
        return map.get(lookups[cursor.advance(lookups.length)]).orElse(null);
    }

    /** {@code ReplicatedMap.get(key)} with the {@code Optional} escaping (it must be allocated). */
    @Benchmark
    public Optional<String> replicatedMapGetOptional(Cursor cursor) {
        return map.get(lookups[cursor.advance(lookups.length)]);
    }

    /** The baseline: {@code ConcurrentHashMap.get(key)} on the same content. */
    @Benchmark
    public String concurrentHashMapGet(Cursor cursor) {
        return baseline.get(lookups[cursor.advance(lookups.length)]);
    }
}
