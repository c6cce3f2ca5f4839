package io.pulse.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.pulse.core.PulseRedis;
import io.pulse.rmap.MapEvent;
import io.pulse.rmap.ReplicatedMap;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;

/**
 * Replication lag at a paced write rate (5,000 writes/s by default): the time from calling
 * {@link ReplicatedMap#setAsync} on replica A (one {@link PulseRedis}) until the change is seen by a
 * {@link ReplicatedMap#subscribe} listener of replica B (a second {@link PulseRedis}), as p50, p99 and
 * p99.9; beside the same path in raw Lettuce: {@code EVALSHA} of the same {@code set.lua}
 * (see {@code RawSetScript}) on one client, received by a {@link io.lettuce.core.pubsub.RedisPubSubListener}
 * on the pub/sub connection of a second client.
 *
 * <p>Each value carries its sequence number and the {@link System#nanoTime()} at which it was sent;
 * both ends live in this process, so the lag is the receive time minus that. Sends are paced against an
 * absolute schedule, so a late send never shifts the ones after it, and never wait for replies. On the
 * Pulse side the figure includes everything a user's listener sees: the replica applying the change
 * (on the Redis I/O thread) and the hand-off of the event to the listener's thread, where the value is
 * read back with {@link ReplicatedMap#get}. The raw listener decodes the value on the I/O thread. The
 * writer's Pulse replica also receives every change (each replica does), so Redis delivers each Pulse
 * change twice and each raw change once. For information, a second Pulse map runs the same path with
 * B's listener on the applying thread ({@code Builder.executor(Runnable::run)}), which shows how much
 * of the lag is the hand-off to the callback thread.
 *
 * <p>After a warm-up of each side, the sides take turns for {@code rounds} short windows each, so that
 * disturbances on the machine hit all of them alike; percentiles are over every write of the measured
 * windows. Writes spread over 1,000 keys, so a key is rewritten every
 * 200 ms at 5,000/s; a write whose value was overwritten before the listener read it counts as missed.
 */
public final class ReplicationLagBenchmark {

    /** Lag percentiles of one side, in nanoseconds, and how many writes were never seen. */
    public record Lag(long p50, long p99, long p999, long max, int samples, int missed) {
    }

    /**
     * Every side's lag at the paced rate.
     *
     * @param pulse read back by a {@code subscribe} listener on its default callback thread
     * @param pulseDirect the same with the listener on the thread that applies the change
     *     ({@code executor(Runnable::run)}), which leaves out the hand-off to the callback thread
     * @param raw raw Lettuce, the listener on the pub/sub connection's I/O thread
     * @param writesPerSecond the paced rate
     */
    public record Result(Lag pulse, Lag pulseDirect, Lag raw, int writesPerSecond) {
    }

    private static final int KEYS = 1_000;
    private static final String PADDING = "-payload";

    private final String redisUrl;
    private final int rate;
    private final Duration warmup;
    private final Duration window;
    private final int rounds;

    /**
     * @param redisUrl the Redis both sides go through
     * @param rate writes per second
     * @param warmup how long each side runs before measuring
     * @param window how long one measured turn lasts
     * @param rounds how many measured turns each side gets
     */
    public ReplicationLagBenchmark(String redisUrl, int rate, Duration warmup, Duration window, int rounds) {
        this.redisUrl = redisUrl;
        this.rate = rate;
        this.warmup = warmup;
        this.window = window;
        this.rounds = rounds;
    }

    /** Runs every side and returns their lag. */
    public Result run() throws Exception {
        int warmupWrites = writes(warmup);
        int windowWrites = writes(window);
        int total = warmupWrites + rounds * windowWrites;
        long origin = System.nanoTime();
        String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
        String[] keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "key:" + i;
        }
        String pulseMap = "bench-lag-" + suffix;
        String directMap = "bench-lag-direct-" + suffix;
        String rawMap = "bench-lag-raw-" + suffix;

        PulseRedis redisA = PulseRedis.connect(redisUrl);
        PulseRedis redisB = PulseRedis.connect(redisUrl);
        RedisClient rawWriterClient = RedisClient.create(redisUrl);
        RedisClient rawReaderClient = RedisClient.create(redisUrl);
        try (StatefulRedisConnection<String, String> rawWriter = rawWriterClient.connect();
                StatefulRedisPubSubConnection<byte[], byte[]> rawReader =
                        rawReaderClient.connectPubSub(ByteArrayCodec.INSTANCE)) {
            try {
                // Pulse: A writes, B's listener (on B's own callback thread) reads the value back
                ReplicatedMap mapA = ReplicatedMap.join(pulseMap, redisA);
                ReplicatedMap mapB = ReplicatedMap.join(pulseMap, redisB);
                Side pulse = new Side(mapA::setAsync, keys, total, origin);
                mapB.subscribe(event -> {
                    if (event.kind() == MapEvent.Kind.CHANGE) {
                        long now = System.nanoTime();
                        pulse.seen.record(mapB.get(event.key()).orElse(null), now);
                    }
                });

                // the same, with B's listener run right where the replica applies the change
                ReplicatedMap directA = ReplicatedMap.join(directMap, redisA);
                ReplicatedMap directB = ReplicatedMap.builder(directMap, redisB).executor(Runnable::run).join();
                Side direct = new Side(directA::setAsync, keys, total, origin);
                directB.subscribe(event -> {
                    if (event.kind() == MapEvent.Kind.CHANGE) {
                        long now = System.nanoTime();
                        direct.seen.record(directB.get(event.key()).orElse(null), now);
                    }
                });

                // raw Lettuce: EVALSHA on one client, a pub/sub listener on another
                RedisAsyncCommands<String, String> rawCommands = rawWriter.async();
                RawSetScript script = RawSetScript.load(rawCommands, rawMap);
                Side raw = new Side((k, v) -> script.set(rawCommands, k, v), keys, total, origin);
                rawReader.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(byte[] channel, byte[] message) {
                        long now = System.nanoTime();
                        raw.seen.record(RawSetScript.valueOfSetMessage(message), now);
                    }
                });
                rawReader.sync().subscribe(RawSetScript.channel(rawMap).getBytes(StandardCharsets.UTF_8));

                List<Side> sides = List.of(pulse, direct, raw);
                for (Side side : sides) {
                    side.turn(warmupWrites);
                }
                for (int r = 0; r < rounds; r++) {
                    // rotate who goes first, so no side always follows the same one
                    for (int i = 0; i < sides.size(); i++) {
                        sides.get((r + i) % sides.size()).turn(windowWrites);
                    }
                }
                for (Side side : sides) {
                    side.check();
                }
                return new Result(pulse.seen.lag(warmupWrites, total), direct.seen.lag(warmupWrites, total),
                        raw.seen.lag(warmupWrites, total), rate);
            } finally {
                rawWriter.sync().del(RawSetScript.contentKey(pulseMap), RawSetScript.contentKey(directMap),
                        RawSetScript.contentKey(rawMap));
            }
        } finally {
            redisB.close();
            redisA.close();
            rawReaderClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            rawWriterClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private int writes(Duration d) {
        return (int) (d.toNanos() * rate / 1_000_000_000L);
    }

    /**
     * One writer and what its reader saw: sends writes on an absolute schedule of {@code rate} per
     * second, numbered from 0 on.
     */
    private final class Side {
        private final BiFunction<String, String, CompletionStage<?>> write;
        private final String[] keys;
        private final long origin;
        private final Recorder seen;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private int next;

        Side(BiFunction<String, String, CompletionStage<?>> write, String[] keys, int capacity, long origin) {
            this.write = write;
            this.keys = keys;
            this.origin = origin;
            this.seen = new Recorder(capacity, origin);
        }

        /** Sends {@code count} writes, then waits until the reader saw the last of them. */
        void turn(int count) throws InterruptedException {
            pace(count);
            seen.awaitUpTo(next);
        }

        private void pace(int count) {
            long interval = 1_000_000_000L / rate;
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long due = start + i * interval;
                long now;
                while ((now = System.nanoTime()) - due < 0) {
                    LockSupport.parkNanos(due - now);
                }
                int seq = next++;
                // seq:sentNanos-payload, the send time taken as late as possible
                String value = seq + ":" + (System.nanoTime() - origin) + PADDING;
                write.apply(keys[seq % keys.length], value).whenComplete((v, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
        }

        void check() {
            if (failure.get() != null) {
                throw new IllegalStateException("a write failed: " + failure.get(), failure.get());
            }
        }
    }

    /** Lag per sequence number, filled by the receiving thread; 0 means not seen yet. */
    private static final class Recorder {
        private final long[] lag;
        private final long origin;
        private volatile int seen;

        Recorder(int capacity, long origin) {
            this.lag = new long[capacity];
            this.origin = origin;
        }

        /** Records the value {@code value} (seq:sentNanos-...) as seen at {@code now}. */
        void record(String value, long now) {
            if (value == null) {
                return;
            }
            int colon = value.indexOf(':');
            int dash = value.indexOf('-', colon);
            if (colon < 0 || dash < 0) {
                return;
            }
            int seq = Integer.parseInt(value, 0, colon, 10);
            long sent = Long.parseLong(value, colon + 1, dash, 10);
            if (seq < lag.length && lag[seq] == 0) {
                lag[seq] = Math.max(1, now - origin - sent);
                seen = Math.max(seen, seq + 1); // one writer thread per recorder: no lost update
            }
        }

        /** Waits (at most 5 s) until the write numbered {@code count - 1} was seen. */
        void awaitUpTo(int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (seen < count && System.nanoTime() - deadline < 0) {
                Thread.sleep(5);
            }
            Thread.sleep(20);
        }

        /** Percentiles over sequence numbers {@code from} (inclusive) to {@code to} (exclusive). */
        Lag lag(int from, int to) {
            long[] window = Arrays.copyOfRange(lag, from, to);
            Arrays.sort(window);
            int missed = 0;
            while (missed < window.length && window[missed] == 0) {
                missed++;
            }
            long[] seenLags = Arrays.copyOfRange(window, missed, window.length);
            if (seenLags.length == 0) {
                return new Lag(0, 0, 0, 0, 0, missed);
            }
            return new Lag(percentile(seenLags, 50), percentile(seenLags, 99), percentile(seenLags, 99.9),
                    seenLags[seenLags.length - 1], seenLags.length, missed);
        }

        private static long percentile(long[] sorted, double p) {
            int rank = (int) Math.ceil(p / 100 * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
        }
    }
}
