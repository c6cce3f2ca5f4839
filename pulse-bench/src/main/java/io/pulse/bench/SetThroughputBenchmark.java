package io.pulse.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.pulse.core.PulseRedis;
import io.pulse.rmap.ReplicatedMap;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;

/**
 * Write throughput with a fixed number of requests in flight (256 by default): operations completed
 * per second by {@link ReplicatedMap#setAsync}, beside raw Lettuce running the same {@code set.lua}
 * with {@code EVALSHA} (see {@code RawSetScript}) on a connection of its own, in the same process and
 * run.
 *
 * <p>One driver thread issues requests whenever fewer than {@code inFlight} are unanswered, over 1,000
 * keys with a 20-byte value, for a fixed time; a turn counts every request issued and the time until
 * the last one completed. After a warm-up of each side, the sides take turns for {@code rounds}
 * windows each, so drift on the machine hits all alike; the figure per side is its total operations
 * over its total time.
 *
 * <p>A Pulse writer is also a replica: Redis delivers each change it publishes back to the writer's
 * subscriber connection, which decodes and applies it. The plain raw side has no subscriber, so Redis
 * and the client do less for it; a third side, for information, is the same raw writer with a raw
 * subscriber that receives (and counts) the published changes, which isolates Pulse's client-side
 * cost. After each turn a side waits until its subscriber (if any) caught up, so no backlog runs
 * into the next side's window.
 */
public final class SetThroughputBenchmark {

    /**
     * Operations per second of each side.
     *
     * @param pulseOpsPerSecond {@code ReplicatedMap.setAsync}
     * @param rawOpsPerSecond raw {@code EVALSHA}, nobody subscribed to the channel
     * @param rawSubscribedOpsPerSecond raw {@code EVALSHA}, a raw subscriber receiving every change
     * @param inFlight requests kept unanswered
     */
    public record Result(double pulseOpsPerSecond, double rawOpsPerSecond, double rawSubscribedOpsPerSecond,
            int inFlight) {
        /** Pulse over raw; 1 means no overhead. */
        public double ratio() {
            return pulseOpsPerSecond / rawOpsPerSecond;
        }
    }

    private static final int KEYS = 1_000;
    private static final String VALUE = "v:0123456789abcdef:x";

    private final String redisUrl;
    private final int inFlight;
    private final Duration warmup;
    private final Duration window;
    private final int rounds;

    /**
     * @param redisUrl the Redis both sides write to
     * @param inFlight how many requests each side keeps unanswered
     * @param warmup how long each side runs before measuring
     * @param window how long one measured turn lasts
     * @param rounds how many measured turns each side gets
     */
    public SetThroughputBenchmark(String redisUrl, int inFlight, Duration warmup, Duration window, int rounds) {
        this.redisUrl = redisUrl;
        this.inFlight = inFlight;
        this.warmup = warmup;
        this.window = window;
        this.rounds = rounds;
    }

    /** Runs every side and returns their rates. */
    public Result run() throws Exception {
        String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
        String[] keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "key:" + i;
        }
        String pulseMap = "bench-tput-" + suffix;
        String rawMap = "bench-tput-raw-" + suffix;
        String rawSubscribedMap = "bench-tput-rawsub-" + suffix;
        RedisClient rawClient = RedisClient.create(redisUrl);
        PulseRedis pulse = PulseRedis.connect(redisUrl);
        try (StatefulRedisConnection<String, String> raw = rawClient.connect();
                StatefulRedisConnection<String, String> rawSubscribed = rawClient.connect();
                StatefulRedisPubSubConnection<byte[], byte[]> subscriber =
                        rawClient.connectPubSub(ByteArrayCodec.INSTANCE)) {
            try {
                RedisAsyncCommands<String, String> rawCommands = raw.async();
                RawSetScript rawScript = RawSetScript.load(rawCommands, rawMap);
                RedisAsyncCommands<String, String> rawSubscribedCommands = rawSubscribed.async();
                RawSetScript rawSubscribedScript = RawSetScript.load(rawSubscribedCommands, rawSubscribedMap);
                AtomicLong received = new AtomicLong();
                subscriber.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(byte[] channel, byte[] message) {
                        received.incrementAndGet();
                    }
                });
                subscriber.sync().subscribe(RawSetScript.channel(rawSubscribedMap).getBytes(StandardCharsets.UTF_8));
                ReplicatedMap map = ReplicatedMap.join(pulseMap, pulse);

                Side pulseSide = new Side(i -> map.setAsync(keys[i % KEYS], VALUE),
                        // the replica applies its own published changes: let it catch up between turns
                        issued -> map.setAndWait("settle", "x"));
                Side rawSide = new Side(i -> rawScript.set(rawCommands, keys[i % KEYS], VALUE), issued -> { });
                Side rawSubscribedSide = new Side(
                        i -> rawSubscribedScript.set(rawSubscribedCommands, keys[i % KEYS], VALUE),
                        issued -> awaitCount(received, issued));
                List<Side> sides = List.of(pulseSide, rawSide, rawSubscribedSide);
                for (Side side : sides) {
                    side.turn(warmup);
                }
                for (Side side : sides) {
                    side.reset();
                }
                for (int r = 0; r < rounds; r++) {
                    // rotate who goes first, so no side always follows the same one
                    for (int i = 0; i < sides.size(); i++) {
                        sides.get((r + i) % sides.size()).turn(window);
                    }
                }
                return new Result(pulseSide.perSecond(), rawSide.perSecond(), rawSubscribedSide.perSecond(),
                        inFlight);
            } finally {
                raw.sync().del(RawSetScript.contentKey(pulseMap), RawSetScript.contentKey(rawMap),
                        RawSetScript.contentKey(rawSubscribedMap));
            }
        } finally {
            pulse.close();
            rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static void awaitCount(AtomicLong counter, long target) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counter.get() < target) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the raw subscriber got " + counter.get() + " of " + target
                        + " messages");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** One way of writing: its request, how to wait until its side effects are over, its totals. */
    private final class Side {
        private final IntFunction<CompletionStage<?>> request;
        private final LongConsumer settle;
        private long issuedEver;
        private long operations;
        private long nanos;

        Side(IntFunction<CompletionStage<?>> request, LongConsumer settle) {
            this.request = request;
            this.settle = settle;
        }

        void turn(Duration length) throws InterruptedException {
            Window w = drive(request, length);
            issuedEver += w.operations();
            operations += w.operations();
            nanos += w.nanos();
            settle.accept(issuedEver);
        }

        void reset() {
            operations = 0;
            nanos = 0;
        }

        double perSecond() {
            return operations * 1e9 / nanos;
        }
    }

    /** Operations done and nanoseconds taken. */
    private record Window(long operations, long nanos) {
    }

    /** Issues requests for {@code length}, never more than {@code inFlight} unanswered; waits for all. */
    private Window drive(IntFunction<CompletionStage<?>> request, Duration length) throws InterruptedException {
        Semaphore permits = new Semaphore(inFlight);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int issued = 0;
        long start = System.nanoTime();
        long end = start + length.toNanos();
        while (System.nanoTime() - end < 0 && failure.get() == null) {
            permits.acquire();
            request.apply(issued++).whenComplete((value, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                }
                permits.release();
            });
        }
        permits.acquire(inFlight);
        long elapsed = System.nanoTime() - start;
        if (failure.get() != null) {
            throw new IllegalStateException("a request failed: " + failure.get(), failure.get());
        }
        return new Window(issued, elapsed);
    }
}
