package io.pulse.bench;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.pulse.core.KeyLayout;
import io.pulse.core.PulseRedis;
import io.pulse.core.Subscription;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Adding behind a stuck event: {@link Stream#addAsync} throughput and blocking {@link Stream#add}
 * latency on a stream where one event was delivered to a consumer group and is never acknowledged,
 * with a backlog of 20,000 events behind it (so trimming is held back and the stream only grows) and
 * beside the same adds on a stream with no sink at all (trimming runs freely). Both handles have the
 * default max length, 1,000. The sides take turns as in {@link StreamAddBenchmark}.
 *
 * <p>Then a live sink joins the stuck stream and consumes events added at 5,000 per second, counting
 * its deliveries: an event delivered twice means an acknowledgement arrived after the sink's grace
 * period (2 s), which is what a trimming step slow enough to hold Redis up would cause.
 */
public final class TrimBacklogBenchmark {

    /**
     * @param stuckOpsPerSecond adds per second behind the stuck event
     * @param freeOpsPerSecond adds per second without a sink
     * @param stuckLatency blocking add latency behind the stuck event
     * @param freeLatency blocking add latency without a sink
     * @param delivered events the live sink received
     * @param duplicates events it received more than once
     * @param stuckKept whether the stuck event was still in the stream at the end
     * @param finalLength the stuck stream's length at the end
     */
    public record Result(double stuckOpsPerSecond, double freeOpsPerSecond, Percentiles stuckLatency,
            Percentiles freeLatency, long delivered, long duplicates, boolean stuckKept, long finalLength) {
    }

    static final int BACKLOG = 20_000;
    static final int IN_FLIGHT = 256;
    /** Events per second added while the live sink consumes: a rate one subscription keeps up with. */
    static final int LIVE_RATE = 5_000;

    private final String redisUrl;

    /** @param redisUrl the Redis both streams live on */
    public TrimBacklogBenchmark(String redisUrl) {
        this.redisUrl = redisUrl;
    }

    /**
     * @param warmup how long each side adds before measuring throughput
     * @param window one measured throughput turn
     * @param rounds throughput turns per side
     * @param syncAdds blocking adds per latency turn
     * @param syncRounds latency turns per side
     * @param liveEvents events added at {@link #LIVE_RATE} per second for the live sink
     */
    public Result run(Duration warmup, Duration window, int rounds, int syncAdds, int syncRounds, int liveEvents)
            throws Exception {
        String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
        PulseRedis pulse = PulseRedis.connect(redisUrl);
        RedisClient rawClient = RedisClient.create(redisUrl);
        Stream stuck = Stream.open("bench-trim-stuck-" + suffix, pulse);
        Stream free = Stream.open("bench-trim-free-" + suffix, pulse);
        String stuckKey = BenchKeys.LAYOUT.streamKey(stuck.name());
        try (StatefulRedisConnection<String, String> raw = rawClient.connect(StringCodec.UTF8)) {
            RedisCommands<String, String> cli = raw.sync();
            String stuckId = stuck.add("stuck", StreamAddBenchmark.PAYLOAD);
            cli.xgroupCreate(XReadArgs.StreamOffset.from(stuckKey, "0-0"), "stuck");
            cli.xreadgroup(Consumer.from("stuck", "hung"), XReadArgs.Builder.count(1),
                    XReadArgs.StreamOffset.lastConsumed(stuckKey));
            fill(stuck, BACKLOG);
            fill(free, BACKLOG);
            String sinkName = "bench-live-" + suffix;
            try {
                double[] ops = throughput(stuck, free, warmup, window, rounds);
                Percentiles[] latency = latency(stuck, free, syncAdds, syncRounds);
                long[] delivery = consumeWhileAdding(stuck, sinkName, liveEvents);
                boolean kept = !cli.xrange(stuckKey, io.lettuce.core.Range.create(stuckId, stuckId)).isEmpty();
                return new Result(ops[0], ops[1], latency[0], latency[1], delivery[0], delivery[1], kept,
                        cli.xlen(stuckKey));
            } finally {
                KeyLayout layout = BenchKeys.LAYOUT;
                cli.del(stuckKey, layout.streamKey(free.name()),
                        layout.mapContentKey(layout.sinkRegistryMap(stuck.name())),
                        layout.mapContentKey(layout.sinkKeepAliveMap(stuck.name(), sinkName)),
                        layout.sinkLeaseKey(stuck.name(), sinkName));
            }
        } finally {
            pulse.close();
            rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /**
     * Adds {@code count} events to the stuck stream at {@link #LIVE_RATE} per second while a sink with a
     * 2 s grace period consumes and acknowledges them; returns {events delivered, events delivered more
     * than once}.
     */
    private static long[] consumeWhileAdding(Stream stuck, String sinkName, int count) {
        Sink live = stuck.sink(sinkName).ackGracePeriod(Duration.ofSeconds(2)).open();
        Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        Subscription consuming = live.subscribe(e -> {
            deliveries.computeIfAbsent(e.id(), id -> new AtomicInteger()).incrementAndGet();
            live.ackAsync(List.of(e));
        });
        try {
            long start = System.nanoTime();
            long periodNanos = 1_000_000_000L / LIVE_RATE;
            for (int i = 0; i < count; i++) {
                long due = start + i * periodNanos;
                while (System.nanoTime() - due < 0) {
                    Thread.onSpinWait();
                }
                stuck.addAsync(StreamAddBenchmark.EVENT_NAME, StreamAddBenchmark.PAYLOAD);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (deliveries.size() < count && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
            }
            // re-deliveries would come after the grace period: give them time to show
            Thread.sleep(3_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consuming.close();
            live.close();
        }
        long duplicates = deliveries.values().stream().filter(n -> n.get() > 1).count();
        return new long[] {deliveries.size(), duplicates};
    }

    /** Adds {@code count} events, {@link #IN_FLIGHT} at a time. */
    private static void fill(Stream stream, int count) {
        Semaphore permits = new Semaphore(IN_FLIGHT);
        for (int i = 0; i < count; i++) {
            permits.acquireUninterruptibly();
            stream.addAsync(StreamAddBenchmark.EVENT_NAME, StreamAddBenchmark.PAYLOAD)
                    .whenComplete((v, e) -> permits.release());
        }
        permits.acquireUninterruptibly(IN_FLIGHT);
    }

    private static double[] throughput(Stream stuck, Stream free, Duration warmup, Duration window, int rounds)
            throws InterruptedException {
        List<Stream> sides = List.of(stuck, free);
        for (Stream s : sides) {
            StreamAddBenchmark.drive(() -> s.addAsync(StreamAddBenchmark.EVENT_NAME, StreamAddBenchmark.PAYLOAD),
                    IN_FLIGHT, warmup);
        }
        long[][] totals = new long[2][2];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < 2; i++) {
                int side = (r + i) % 2;
                Stream s = sides.get(side);
                long[] w = StreamAddBenchmark.drive(
                        () -> s.addAsync(StreamAddBenchmark.EVENT_NAME, StreamAddBenchmark.PAYLOAD), IN_FLIGHT, window);
                totals[side][0] += w[0];
                totals[side][1] += w[1];
            }
        }
        return new double[] {totals[0][0] * 1e9 / totals[0][1], totals[1][0] * 1e9 / totals[1][1]};
    }

    private static Percentiles[] latency(Stream stuck, Stream free, int adds, int rounds) {
        long[][] nanos = new long[2][adds * rounds];
        List<Stream> sides = List.of(stuck, free);
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < 2; i++) {
                int side = (r + i) % 2;
                Stream s = sides.get(side);
                for (int a = 0; a < adds; a++) {
                    long start = System.nanoTime();
                    s.add(StreamAddBenchmark.EVENT_NAME, StreamAddBenchmark.PAYLOAD);
                    nanos[side][r * adds + a] = Math.max(1, System.nanoTime() - start);
                }
            }
        }
        return new Percentiles[] {Percentiles.of(nanos[0], 0, nanos[0].length), Percentiles.of(nanos[1], 0,
                nanos[1].length)};
    }
}
