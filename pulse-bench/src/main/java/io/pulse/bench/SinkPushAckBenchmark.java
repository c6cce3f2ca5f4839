package io.pulse.bench;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.pulse.core.PulseRedis;
import io.pulse.core.Subscription;
import io.pulse.streaming.Event;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Draining a backlog through a sink's push {@link Sink#subscribe} whose handler acknowledges each
 * event with {@link Sink#ack(Event)}, beside pulling it with {@link Sink#read()} and acknowledging each
 * batch with {@link Sink#ack(java.util.Collection)}, in the same process and run. Three more sides
 * explain the gap: a push handler that acknowledges with {@code ackAsync(List.of(event))} without
 * waiting (one {@code XACK} each); one that acknowledges with {@link Sink#ackAsync(Event)} without
 * waiting, which the sink coalesces (one {@code XACK} of every event queued in the last millisecond,
 * or of 1,000); and raw Lettuce {@code XREADGROUP COUNT 1000}
 * followed by one synchronous {@code XACK} per event (the Redis work of a per-event ack, without
 * Pulse). A side's time runs until Redis confirmed every ack of its turn.
 *
 * <p>Each side has a stream of its own, pre-filled by pipelined raw {@code XADD}s (fields {@code n},
 * {@code p}, a 100-byte payload), and a sink starting at the oldest event ({@code maxPolled} 1,000). The
 * push subscriptions run for the whole benchmark, but their handlers wait for permits: a turn hands
 * out {@code turnEvents} permits and lasts until the last of those events is acknowledged. So the sides
 * take turns, in rotating order, as in {@link SinkDrainBenchmark}. A push loop reads ahead up to one
 * batch while its handler waits, so a turn may start with part of a batch already fetched.
 */
final class SinkPushAckBenchmark {

    /**
     * One side's figures.
     *
     * @param eventsPerSecond events handled and acknowledged per second
     * @param xacksPerEvent {@code XACK} commands per event ({@code INFO commandstats})
     * @param switchesPerEvent voluntary context switches of this JVM's threads per event (0 off Linux)
     */
    record Side(double eventsPerSecond, double xacksPerEvent, double switchesPerEvent) {
    }

    /** All sides; {@code events} measured per side in turns of {@code turnEvents}. */
    record Result(Side pushAck, Side pullBatchAck, Side pushAckAsync, Side pushAckCoalesced, Side rawPerEventAck,
            int events, int turnEvents) {
    }

    private final String redisUrl;
    private final int turnEvents;
    private final int turns;
    private final int warmupEvents;

    SinkPushAckBenchmark(String redisUrl, int turnEvents, int turns, int warmupEvents) {
        if (turnEvents % 1000 != 0 || warmupEvents % 1000 != 0) {
            throw new IllegalArgumentException("turns and warm-up must be whole batches of 1,000");
        }
        this.redisUrl = redisUrl;
        this.turnEvents = turnEvents;
        this.turns = turns;
        this.warmupEvents = warmupEvents;
    }

    /** One way of draining {@code count} events; {@link #drain} returns once all are acknowledged. */
    private abstract static class Drain implements AutoCloseable {
        long events;
        long nanos;
        long xacks;
        double switches;

        abstract void drain(int count) throws Exception;

        @Override
        public void close() {
        }

        Side side() {
            return new Side(events * 1e9 / nanos, xacks / (double) events, switches / events);
        }
    }

    /** Runs every side and returns their rates. */
    Result run() throws Exception {
        String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
        String prefix = "bench-pushack-" + suffix + "-";
        int perSide = warmupEvents + turns * turnEvents;
        PulseRedis pulse = PulseRedis.connect(redisUrl);
        RedisClient rawClient = RedisClient.create(redisUrl);
        List<Drain> sides = new ArrayList<>();
        try (StatefulRedisConnection<String, String> probe = rawClient.connect();
                StatefulRedisConnection<byte[], byte[]> raw = rawClient.connect(ByteArrayCodec.INSTANCE)) {
            try {
                for (String side : List.of("push", "pull", "async", "coalesced", "raw")) {
                    SinkDrainBenchmark.fill(rawClient, BenchKeys.LAYOUT.streamKey(prefix + side), perSide);
                }
                sides.add(push(pulse, prefix + "push", AckMode.SYNC));
                sides.add(pull(pulse, prefix + "pull"));
                sides.add(push(pulse, prefix + "async", AckMode.ASYNC));
                sides.add(push(pulse, prefix + "coalesced", AckMode.COALESCED));
                sides.add(rawPerEvent(raw.sync(), BenchKeys.LAYOUT.streamKey(prefix + "raw")));
                for (Drain side : sides) {
                    side.drain(warmupEvents);
                }
                RedisCommands<String, String> stats = probe.sync();
                for (int t = 0; t < turns; t++) {
                    for (int i = 0; i < sides.size(); i++) {
                        Drain side = sides.get((t + i) % sides.size());
                        Map<String, Long> before = PoolMeasurements.commandCalls(stats);
                        ThreadActivity threadsBefore = ThreadActivity.snapshot();
                        long start = System.nanoTime();
                        side.drain(turnEvents);
                        side.nanos += System.nanoTime() - start;
                        side.events += turnEvents;
                        side.switches += ThreadActivity.sum(ThreadActivity.snapshot().since(threadsBefore).values())
                                .voluntarySwitches();
                        side.xacks += PoolMeasurements.delta(before, PoolMeasurements.commandCalls(stats))
                                .getOrDefault("xack", 0L);
                    }
                    System.out.printf(Locale.ROOT, "#   push-ack: turn %d/%d done (load average %.2f)%n", t + 1, turns,
                            RmapBenchmarks.loadAverage());
                }
                return new Result(sides.get(0).side(), sides.get(1).side(), sides.get(2).side(), sides.get(3).side(),
                        sides.get(4).side(), turns * turnEvents, turnEvents);
            } finally {
                sides.forEach(Drain::close);
                BenchKeys.deleteMatching(probe.sync(), "*" + prefix + "*");
            }
        } finally {
            pulse.close();
            rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** How a push handler acknowledges. */
    private enum AckMode {
        /** {@code ack(event)}: returns once Redis has it. */
        SYNC,
        /** {@code ackAsync(List.of(event))}, not waited for. */
        ASYNC,
        /** {@code ackAsync(event)}, not waited for: the sink coalesces the acks (1 ms or 1,000 events). */
        COALESCED
    }

    /**
     * A push subscription whose handler takes a permit per event, then acknowledges it as {@code mode}
     * says; a turn ends when Redis confirmed the acks of all its events.
     */
    private static Drain push(PulseRedis redis, String streamName, AckMode mode) {
        Stream stream = Stream.builder(streamName, redis).maxLen(0).open();
        Sink sink = stream.sink(streamName + "-sink").startAtOldest().open();
        Semaphore permits = new Semaphore(0);
        AtomicLong acked = new AtomicLong();
        AtomicReference<CountDownLatch> turnDone = new AtomicReference<>(new CountDownLatch(0));
        AtomicLong target = new AtomicLong();
        Runnable counted = () -> {
            if (acked.incrementAndGet() == target.get()) {
                turnDone.get().countDown();
            }
        };
        AtomicBoolean closing = new AtomicBoolean();
        Subscription subscription = sink.subscribe(event -> {
            permits.acquireUninterruptibly();
            if (closing.get()) {
                return;
            }
            switch (mode) {
                case SYNC -> {
                    sink.ack(event);
                    counted.run();
                }
                case ASYNC -> sink.ackAsync(List.of(event)).whenComplete((n, e) -> counted.run());
                case COALESCED -> sink.ackAsync(event).whenComplete((n, e) -> counted.run());
            }
        });
        return new Drain() {
            @Override
            void drain(int count) throws InterruptedException {
                CountDownLatch done = new CountDownLatch(1);
                turnDone.set(done);
                target.set(acked.get() + count);
                permits.release(count);
                if (!done.await(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException(streamName + ": " + count + " events not acknowledged in 5 minutes");
                }
            }

            @Override
            public void close() {
                closing.set(true);
                permits.release(Integer.MAX_VALUE / 2);
                subscription.close();
                sink.close();
            }
        };
    }

    /** {@code read()} and {@code ack(batch)} until {@code count} events are acknowledged. */
    private static Drain pull(PulseRedis redis, String streamName) {
        Stream stream = Stream.builder(streamName, redis).maxLen(0).open();
        Sink sink = stream.sink(streamName + "-sink").startAtOldest().maxPolled(1000).open();
        return new Drain() {
            @Override
            void drain(int count) {
                for (int done = 0; done < count; ) {
                    List<Event> batch = sink.read();
                    if (batch.isEmpty()) {
                        throw new IllegalStateException(streamName + " ran dry");
                    }
                    sink.ack(batch);
                    done += batch.size();
                }
            }

            @Override
            public void close() {
                sink.close();
            }
        };
    }

    /** Raw {@code XREADGROUP COUNT 1000} and one synchronous {@code XACK} per event read. */
    private static Drain rawPerEvent(RedisCommands<byte[], byte[]> redis, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] group = "bench".getBytes(StandardCharsets.UTF_8);
        redis.xgroupCreate(XReadArgs.StreamOffset.from(k, "0-0"), group);
        Consumer<byte[]> consumer = Consumer.from(group, "c1".getBytes(StandardCharsets.UTF_8));
        XReadArgs count1000 = XReadArgs.Builder.count(1000);
        XReadArgs.StreamOffset<byte[]> undelivered = XReadArgs.StreamOffset.lastConsumed(k);
        return new Drain() {
            @Override
            void drain(int count) {
                for (int done = 0; done < count; ) {
                    List<StreamMessage<byte[], byte[]>> batch = redis.xreadgroup(consumer, count1000, undelivered);
                    if (batch.isEmpty()) {
                        throw new IllegalStateException(key + " ran dry");
                    }
                    for (StreamMessage<byte[], byte[]> message : batch) {
                        redis.xack(k, group, message.getId());
                    }
                    done += batch.size();
                }
            }
        };
    }
}
