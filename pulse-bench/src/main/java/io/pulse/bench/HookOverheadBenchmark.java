package io.pulse.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulse.core.PulseEventListener;
import io.pulse.core.PulseRedis;
import io.pulse.micrometer.PulseMetrics;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.streaming.Event;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * What the event hook costs: the same work on three {@link PulseRedis} instances of one process, one
 * without a listener, one with a listener that does nothing, one with {@link PulseMetrics} bound to a
 * {@code SimpleMeterRegistry}. Workloads: {@code ReplicatedMap.setAsync} and {@code Stream.addAsync}
 * with 256 requests in flight (ops/s), and a sink draining pre-filled events with {@code read()} and
 * {@code ack(batch)} (events/s). The sides take turns in short windows, rotating who goes first, so
 * drift on the machine hits all alike; a side's figure is its total over its total time.
 */
final class HookOverheadBenchmark {

    /** Who listens on a side's {@code PulseRedis}. */
    enum Side {
        NONE, NO_OP, METRICS
    }

    /** Operations (or events) per second of each side, for each workload. */
    record Result(Map<Side, Double> set, Map<Side, Double> add, Map<Side, Double> drain) {
    }

    private static final int IN_FLIGHT = 256;
    private static final int KEYS = 1_000;
    private static final int BATCH = 1_000;
    private static final byte[] PAYLOAD = new byte[100];

    private final String redisUrl;
    private final Duration window;
    private final int rounds;
    private final int drainBatchesPerTurn;

    /**
     * @param window how long one throughput turn lasts
     * @param rounds how many turns each side gets, per workload
     * @param drainBatchesPerTurn batches of 1,000 events one drain turn reads and acknowledges
     */
    HookOverheadBenchmark(String redisUrl, Duration window, int rounds, int drainBatchesPerTurn) {
        this.redisUrl = redisUrl;
        this.window = window;
        this.rounds = rounds;
        this.drainBatchesPerTurn = drainBatchesPerTurn;
    }

    Result run() throws Exception {
        String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
        Map<Side, PulseRedis> redis = new EnumMap<>(Side.class);
        List<String> names = new ArrayList<>();
        RedisClient client = RedisClient.create(redisUrl);
        try {
            redis.put(Side.NONE, PulseRedis.connect(redisUrl));
            redis.put(Side.NO_OP, PulseRedis.builder(redisUrl).eventListener(new PulseEventListener() {
            }).connect());
            PulseRedis metered = PulseRedis.connect(redisUrl);
            new PulseMetrics(metered).bindTo(new SimpleMeterRegistry());
            redis.put(Side.METRICS, metered);

            Map<Side, IntFunction<CompletableFuture<?>>> sets = new EnumMap<>(Side.class);
            Map<Side, IntFunction<CompletableFuture<?>>> adds = new EnumMap<>(Side.class);
            Map<Side, SinkDrainBenchmark.Drain> drains = new EnumMap<>(Side.class);
            int drainEvents = BATCH * drainBatchesPerTurn * (rounds + 1);
            for (Side side : Side.values()) {
                String name = "bench-hook-" + side.name().toLowerCase() + "-" + suffix;
                names.add(name);
                ReplicatedMap map = ReplicatedMap.join(name, redis.get(side));
                sets.put(side, i -> map.setAsync("k" + (i % KEYS), "v:0123456789abcdef:x"));
                Stream stream = Stream.builder(name, redis.get(side)).maxLen(10_000).open();
                adds.put(side, i -> stream.addAsync("bench", PAYLOAD));
                String drained = name + "-drain";
                SinkDrainBenchmark.fill(client, BenchKeys.LAYOUT.streamKey(drained), drainEvents);
                Sink sink = Stream.builder(drained, redis.get(side)).maxLen(0).open().sink(name + "-sink")
                        .startAtOldest().maxPolled(BATCH).open();
                drains.put(side, drain(sink));
            }
            Map<Side, Double> set = throughput(sets);
            Map<Side, Double> add = throughput(adds);
            for (Side side : Side.values()) {
                drains.get(side).turn(drainBatchesPerTurn);
                drains.get(side).reset();
            }
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < Side.values().length; i++) {
                    drains.get(Side.values()[(r + i) % Side.values().length]).turn(drainBatchesPerTurn);
                }
            }
            Map<Side, Double> drain = new EnumMap<>(Side.class);
            drains.forEach((side, d) -> drain.put(side, d.perSecond()));
            return new Result(set, add, drain);
        } finally {
            redis.values().forEach(PulseRedis::close);
            try (StatefulRedisConnection<String, String> admin = client.connect()) {
                for (String name : names) {
                    BenchKeys.deleteMatching(admin.sync(), "*" + name + "*");
                }
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }

    /** Each side warms up for one window, then all take {@code rounds} turns each. */
    private Map<Side, Double> throughput(Map<Side, IntFunction<CompletableFuture<?>>> operations) throws Exception {
        Map<Side, long[]> totals = new EnumMap<>(Side.class);
        for (Side side : Side.values()) {
            window(operations.get(side));
            totals.put(side, new long[2]);
        }
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < Side.values().length; i++) {
                Side side = Side.values()[(r + i) % Side.values().length];
                long[] figures = window(operations.get(side));
                totals.get(side)[0] += figures[0];
                totals.get(side)[1] += figures[1];
            }
        }
        Map<Side, Double> perSecond = new EnumMap<>(Side.class);
        totals.forEach((side, t) -> perSecond.put(side, t[0] * 1e9 / t[1]));
        return perSecond;
    }

    /** Keeps {@value #IN_FLIGHT} operations unanswered for one window; returns {operations, nanos}. */
    private long[] window(IntFunction<CompletableFuture<?>> operation) throws Exception {
        Semaphore permits = new Semaphore(IN_FLIGHT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long end = start + window.toNanos();
        int issued = 0;
        while (System.nanoTime() - end < 0 && failure.get() == null) {
            permits.acquire();
            operation.apply(issued++).whenComplete((v, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
                permits.release();
            });
        }
        permits.acquire(IN_FLIGHT);
        long nanos = System.nanoTime() - start;
        if (failure.get() != null) {
            throw new IllegalStateException("an operation failed", failure.get());
        }
        return new long[] {issued, nanos};
    }

    /** A sink reading and acknowledging one batch at a time. */
    private static SinkDrainBenchmark.Drain drain(Sink sink) {
        return new SinkDrainBenchmark.Drain() {
            @Override
            int readAndAck() {
                List<Event> read = sink.read();
                sink.ack(read);
                return read.size();
            }
        };
    }
}
