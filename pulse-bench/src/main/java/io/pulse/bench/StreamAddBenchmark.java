package io.pulse.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.pulse.core.PulseRedis;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Appending to a stream: {@link Stream#addAsync} throughput with a fixed number of adds in flight,
 * and the latency of the blocking {@link Stream#add}, each beside raw Lettuce {@code XADD} on a
 * connection of its own in the same process and run.
 *
 * <p>Both sides write the same entry (fields {@code n}, the event name, and {@code p}, a 100-byte
 * payload) and keep their stream at about the same length, each in its own way: the Pulse handle has
 * a max length of 10,000, so it sends a plain {@code XADD} and, every 100th add ({@code maxLen / 10},
 * capped at 100), a trim script in the background; the raw side sends {@code XADD key MAXLEN ~ 10000},
 * which trims inline. Every add of either side is a round trip on one connection: Pulse's shared
 * command connection, or the raw side's own.
 *
 * <p>After a warm-up of each side, the sides take turns in short windows (rotating who goes first),
 * so that drift on the machine hits both alike; the throughput of a side is its adds over its time,
 * the latency percentiles are over every add of its measured windows.
 */
public final class StreamAddBenchmark {

    /**
     * Adds per second with {@code inFlight} unanswered.
     *
     * @param pulseOpsPerSecond {@code Stream.addAsync}
     * @param rawOpsPerSecond raw {@code XADD ... MAXLEN ~ 10000}
     * @param inFlight adds kept unanswered by each side
     */
    public record Throughput(double pulseOpsPerSecond, double rawOpsPerSecond, int inFlight) {
    }

    /**
     * Latency of one blocking add at a time.
     *
     * @param pulse {@code Stream.add}
     * @param raw raw sync {@code XADD ... MAXLEN ~ 10000}
     */
    public record Latency(Percentiles pulse, Percentiles raw) {
    }

    /** The length both sides keep their stream at. */
    static final int MAX_LEN = 10_000;
    static final String EVENT_NAME = "bench";
    static final byte[] PAYLOAD = payload(100);

    private final String redisUrl;

    /** @param redisUrl the Redis both sides write to */
    public StreamAddBenchmark(String redisUrl) {
        this.redisUrl = redisUrl;
    }

    /**
     * Runs the throughput comparison.
     *
     * @param inFlight adds each side keeps unanswered
     * @param warmup how long each side runs before measuring
     * @param window how long one measured turn lasts
     * @param rounds how many measured turns each side gets
     */
    public Throughput throughput(int inFlight, Duration warmup, Duration window, int rounds) throws Exception {
        return withSides("tput", (pulse, raw) -> {
            Side pulseSide = new Side(() -> pulse.addAsync(EVENT_NAME, PAYLOAD));
            Side rawSide = new Side(() -> raw.async().xadd(raw.key, raw.args, raw.body()));
            List<Side> sides = List.of(pulseSide, rawSide);
            for (Side side : sides) {
                side.add(drive(side.request, inFlight, warmup));
            }
            for (Side side : sides) {
                side.reset();
            }
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < sides.size(); i++) {
                    Side side = sides.get((r + i) % sides.size());
                    side.add(drive(side.request, inFlight, window));
                }
            }
            return new Throughput(pulseSide.perSecond(), rawSide.perSecond(), inFlight);
        });
    }

    /**
     * Runs the latency comparison: one add at a time, timed around the blocking call.
     *
     * @param warmupAdds adds of each side before measuring
     * @param windowAdds adds of one measured turn
     * @param rounds how many measured turns each side gets
     */
    public Latency latency(int warmupAdds, int windowAdds, int rounds) throws Exception {
        return withSides("sync", (pulse, raw) -> {
            RedisCommands<byte[], byte[]> rawSync = raw.connection.sync();
            Runnable pulseAdd = () -> pulse.add(EVENT_NAME, PAYLOAD);
            Runnable rawAdd = () -> rawSync.xadd(raw.key, raw.args, raw.body());
            long[] scratch = new long[warmupAdds];
            time(pulseAdd, scratch, 0, warmupAdds);
            time(rawAdd, scratch, 0, warmupAdds);
            long[] pulseNanos = new long[rounds * windowAdds];
            long[] rawNanos = new long[rounds * windowAdds];
            for (int r = 0; r < rounds; r++) {
                int at = r * windowAdds;
                if (r % 2 == 0) {
                    time(pulseAdd, pulseNanos, at, windowAdds);
                    time(rawAdd, rawNanos, at, windowAdds);
                } else {
                    time(rawAdd, rawNanos, at, windowAdds);
                    time(pulseAdd, pulseNanos, at, windowAdds);
                }
            }
            return new Latency(Percentiles.of(pulseNanos, 0, pulseNanos.length),
                    Percentiles.of(rawNanos, 0, rawNanos.length));
        });
    }

    private static void time(Runnable add, long[] into, int at, int count) {
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            add.run();
            into[at + i] = Math.max(1, System.nanoTime() - start);
        }
    }

    /** The raw side: its own client and connection, its stream key, the XADD arguments. */
    static final class RawSide {
        final StatefulRedisConnection<byte[], byte[]> connection;
        final byte[] key;
        final XAddArgs args = XAddArgs.Builder.maxlen(MAX_LEN).approximateTrimming();

        RawSide(StatefulRedisConnection<byte[], byte[]> connection, String key) {
            this.connection = connection;
            this.key = key.getBytes(StandardCharsets.UTF_8);
        }

        RedisAsyncCommands<byte[], byte[]> async() {
            return connection.async();
        }

        /** A new body per add, as Pulse builds one per add. */
        Map<byte[], byte[]> body() {
            Map<byte[], byte[]> body = new LinkedHashMap<>(4);
            body.put(FIELD_N, NAME_BYTES);
            body.put(FIELD_P, PAYLOAD);
            return body;
        }

        private static final byte[] FIELD_N = "n".getBytes(StandardCharsets.UTF_8);
        private static final byte[] FIELD_P = "p".getBytes(StandardCharsets.UTF_8);
        private static final byte[] NAME_BYTES = EVENT_NAME.getBytes(StandardCharsets.UTF_8);
    }

    private interface Body<T> {
        T run(Stream pulse, RawSide raw) throws Exception;
    }

    /** Sets up a Pulse stream handle (max length 10,000) and a raw connection, runs {@code body}, cleans up. */
    private <T> T withSides(String what, Body<T> body) throws Exception {
        String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
        String pulseName = "bench-xadd-" + what + "-" + suffix;
        String rawKey = BenchKeys.LAYOUT.streamKey("bench-xadd-" + what + "-raw-" + suffix);
        PulseRedis pulse = PulseRedis.connect(redisUrl);
        RedisClient rawClient = RedisClient.create(redisUrl);
        try (StatefulRedisConnection<byte[], byte[]> raw = rawClient.connect(ByteArrayCodec.INSTANCE)) {
            Stream stream = Stream.builder(pulseName, pulse).maxLen(MAX_LEN).open();
            try {
                return body.run(stream, new RawSide(raw, rawKey));
            } finally {
                raw.sync().del(BenchKeys.LAYOUT.streamKey(pulseName).getBytes(StandardCharsets.UTF_8),
                        rawKey.getBytes(StandardCharsets.UTF_8));
            }
        } finally {
            pulse.close();
            rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** A side's request and its totals. */
    private static final class Side {
        final Supplier<CompletionStage<?>> request;
        long operations;
        long nanos;

        Side(Supplier<CompletionStage<?>> request) {
            this.request = request;
        }

        void add(long[] window) {
            operations += window[0];
            nanos += window[1];
        }

        void reset() {
            operations = 0;
            nanos = 0;
        }

        double perSecond() {
            return operations * 1e9 / nanos;
        }
    }

    /**
     * Issues requests for {@code length}, never more than {@code inFlight} unanswered, then waits for
     * the last; returns {operations, nanoseconds}.
     */
    static long[] drive(Supplier<CompletionStage<?>> request, int inFlight, Duration length)
            throws InterruptedException {
        Semaphore permits = new Semaphore(inFlight);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long issued = 0;
        long start = System.nanoTime();
        long end = start + length.toNanos();
        while (System.nanoTime() - end < 0 && failure.get() == null) {
            permits.acquire();
            issued++;
            request.get().whenComplete((value, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                }
                permits.release();
            });
        }
        permits.acquire(inFlight);
        long elapsed = System.nanoTime() - start;
        if (failure.get() != null) {
            throw new IllegalStateException("an add failed: " + failure.get(), failure.get());
        }
        return new long[] {issued, elapsed};
    }

    static byte[] payload(int length) {
        byte[] payload = new byte[length];
        Arrays.fill(payload, (byte) 'x');
        return payload;
    }
}
