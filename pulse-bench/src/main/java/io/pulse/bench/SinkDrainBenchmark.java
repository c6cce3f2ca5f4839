package io.pulse.bench;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.pulse.core.PulseRedis;
import io.pulse.streaming.Event;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Draining a backlog with acknowledgements: a {@link Sink} pulling pre-filled events with
 * {@link Sink#read()} ({@code maxPolled} 1,000) and acknowledging each batch with
 * {@link Sink#ack(java.util.Collection)}, beside raw Lettuce {@code XREADGROUP ... COUNT 1000 STREAMS
 * key >} plus one {@code XACK} of the batch's ids, on a connection of its own, in the same process and
 * run.
 *
 * <p>Both streams are filled first with the same entries (fields {@code n} and {@code p}, a 100-byte
 * payload) by pipelined raw {@code XADD}s: a warm-up share plus the measured events. The Pulse stream
 * handle is unbounded (max length 0), so nothing trims while the sink reads. Each side reads and
 * acknowledges one batch at a time, waiting for each reply, as a consumer that must not lose events
 * does. The sides take turns draining a chunk of batches (rotating who goes first), so that drift on
 * the machine hits both alike; a side's rate is its measured events over the time it took.
 */
public final class SinkDrainBenchmark {

    /**
     * Events drained per second, acknowledgements included.
     *
     * @param pulseEventsPerSecond {@code Sink.read()} + {@code Sink.ack(batch)}
     * @param rawEventsPerSecond raw {@code XREADGROUP COUNT n} + {@code XACK}
     * @param events measured events per side
     * @param batch events per read
     */
    public record Result(double pulseEventsPerSecond, double rawEventsPerSecond, int events, int batch) {
    }

    private final String redisUrl;
    private final int events;
    private final int warmupEvents;
    private final int batch;
    private final int batchesPerTurn;

    /**
     * @param redisUrl the Redis both sides read from
     * @param events measured events per side (a multiple of {@code batch * batchesPerTurn})
     * @param warmupEvents events each side drains before measuring (a multiple of {@code batch})
     * @param batch events per read
     * @param batchesPerTurn reads (and acks) of one turn
     */
    public SinkDrainBenchmark(String redisUrl, int events, int warmupEvents, int batch, int batchesPerTurn) {
        if (events % (batch * batchesPerTurn) != 0 || warmupEvents % batch != 0) {
            throw new IllegalArgumentException("events must be whole turns and warm-up whole batches");
        }
        this.redisUrl = redisUrl;
        this.events = events;
        this.warmupEvents = warmupEvents;
        this.batch = batch;
        this.batchesPerTurn = batchesPerTurn;
    }

    /** Fills both streams, drains them in turns and returns both rates. */
    public Result run() throws Exception {
        String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
        String pulseName = "bench-drain-" + suffix;
        String pulseKey = BenchKeys.LAYOUT.streamKey(pulseName);
        String rawKey = BenchKeys.LAYOUT.streamKey("bench-drain-raw-" + suffix);
        String sinkName = "bench-drain-sink-" + suffix;
        PulseRedis pulse = PulseRedis.connect(redisUrl);
        RedisClient rawClient = RedisClient.create(redisUrl);
        try (StatefulRedisConnection<byte[], byte[]> raw = rawClient.connect(ByteArrayCodec.INSTANCE);
                StatefulRedisConnection<String, String> admin = rawClient.connect(StringCodec.UTF8)) {
            try {
                int total = warmupEvents + events;
                fill(rawClient, pulseKey, total);
                fill(rawClient, rawKey, total);

                Stream stream = Stream.builder(pulseName, pulse).maxLen(0).open();
                Sink sink = stream.sink(sinkName).startAtOldest().maxPolled(batch).open();
                Drain pulseSide = new Drain() {
                    @Override
                    int readAndAck() {
                        List<Event> read = sink.read();
                        sink.ack(read);
                        return read.size();
                    }
                };

                RedisCommands<byte[], byte[]> rawCommands = raw.sync();
                byte[] key = bytes(rawKey);
                byte[] group = bytes("bench");
                rawCommands.xgroupCreate(XReadArgs.StreamOffset.from(key, "0-0"), group);
                Consumer<byte[]> consumer = Consumer.from(group, bytes("c1"));
                XReadArgs count = XReadArgs.Builder.count(batch);
                XReadArgs.StreamOffset<byte[]> undelivered = XReadArgs.StreamOffset.lastConsumed(key);
                Drain rawSide = new Drain() {
                    @Override
                    int readAndAck() {
                        List<StreamMessage<byte[], byte[]>> read = rawCommands.xreadgroup(consumer, count, undelivered);
                        String[] ids = new String[read.size()];
                        for (int i = 0; i < ids.length; i++) {
                            ids[i] = read.get(i).getId();
                        }
                        if (ids.length > 0) {
                            rawCommands.xack(key, group, ids);
                        }
                        return ids.length;
                    }
                };

                List<Drain> sides = List.of(pulseSide, rawSide);
                for (Drain side : sides) {
                    side.turn(warmupEvents / batch);
                    side.reset();
                }
                int turns = events / (batch * batchesPerTurn);
                for (int t = 0; t < turns; t++) {
                    for (int i = 0; i < sides.size(); i++) {
                        sides.get((t + i) % sides.size()).turn(batchesPerTurn);
                    }
                }
                checkDrained(admin.sync(), pulseKey, sinkName);
                checkDrained(admin.sync(), rawKey, "bench");
                sink.close();
                stream.destroy();
                return new Result(pulseSide.perSecond(), rawSide.perSecond(), events, batch);
            } finally {
                admin.sync().del(pulseKey, rawKey);
                BenchKeys.deleteMatching(admin.sync(), "*" + sinkName + "*");
                BenchKeys.deleteMatching(admin.sync(), "*" + pulseName + "*");
            }
        } finally {
            pulse.close();
            rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** One way of draining: a read of up to {@code batch} events and the ack of what it read. */
    abstract static class Drain {
        private long drained;
        private long nanos;

        abstract int readAndAck();

        void turn(int batches) {
            long start = System.nanoTime();
            for (int b = 0; b < batches; b++) {
                int n = readAndAck();
                if (n == 0) {
                    throw new IllegalStateException("the stream ran dry after " + drained + " events");
                }
                drained += n;
            }
            nanos += System.nanoTime() - start;
        }

        void reset() {
            drained = 0;
            nanos = 0;
        }

        double perSecond() {
            return drained * 1e9 / nanos;
        }
    }

    /** Both groups must have read every event and hold none pending. */
    private static void checkDrained(RedisCommands<String, String> commands, String key, String group) {
        for (Object g : commands.xinfoGroups(key)) {
            @SuppressWarnings("unchecked")
            List<Object> fields = (List<Object>) g;
            Map<String, Object> info = new LinkedHashMap<>();
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                info.put(String.valueOf(fields.get(i)), fields.get(i + 1));
            }
            if (group.equals(String.valueOf(info.get("name"))) && !Long.valueOf(0).equals(info.get("pending"))) {
                throw new IllegalStateException(key + ": group " + group + " still has " + info.get("pending")
                        + " pending events");
            }
        }
    }

    /** Appends {@code count} events with pipelined raw XADDs, 1,000 per flush. */
    static void fill(RedisClient client, String key, int count) throws Exception {
        byte[] k = bytes(key);
        byte[] name = bytes(StreamAddBenchmark.EVENT_NAME);
        try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE)) {
            connection.setAutoFlushCommands(false);
            RedisAsyncCommands<byte[], byte[]> commands = connection.async();
            for (int done = 0; done < count; ) {
                int n = Math.min(1000, count - done);
                List<RedisFuture<String>> sent = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    Map<byte[], byte[]> body = new LinkedHashMap<>(4);
                    body.put(bytes("n"), name);
                    body.put(bytes("p"), StreamAddBenchmark.PAYLOAD);
                    sent.add(commands.xadd(k, body));
                }
                connection.flushCommands();
                for (RedisFuture<String> f : sent) {
                    f.get(30, TimeUnit.SECONDS);
                }
                done += n;
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
