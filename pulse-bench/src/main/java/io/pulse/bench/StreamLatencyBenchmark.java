package io.pulse.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.pulse.core.PulseRedis;
import io.pulse.streaming.Event;
import io.pulse.streaming.Reader;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * End-to-end latency of a stream at a paced rate (5,000 events/s by default): the time from calling
 * {@link Stream#addAsync} on one {@link PulseRedis} until {@link Reader#read()} of a reader on a
 * second {@link PulseRedis} returns the event, as p50, p99 and p99.9; beside raw Lettuce: async
 * {@code XADD ... MAXLEN ~ 10000} on one client until {@code XREAD BLOCK ... COUNT 1000} on a second
 * client returns it. The raw reader's cursor is the id of the last entry it got ({@code $} only on its
 * very first call, before any event is sent), as a reader that must not skip events does.
 *
 * <p>Each payload carries its sequence number and the {@link System#nanoTime()} at which it was sent;
 * both ends live in this process, so the latency is the time the read returned minus that. Sends are
 * paced against an absolute schedule (a late send never shifts the ones after it) and never wait for
 * replies. Both writers keep their stream at about 10,000 events (the Pulse handle's max length; raw
 * {@code MAXLEN ~}). Each side's reader runs on a thread of its own for the whole run, blocking up to
 * one second per read. After a warm-up of each side the sides take turns for {@code rounds} short
 * windows each, so that disturbances on the machine hit both alike; percentiles are over every event
 * of the measured windows.
 */
public final class StreamLatencyBenchmark {

    /**
     * Both sides' latency at the paced rate.
     *
     * @param pulse {@code addAsync} until {@code Reader.read()} returned the event
     * @param raw {@code XADD} until {@code XREAD BLOCK} returned it
     * @param eventsPerSecond the paced rate
     * @param missed events never read, Pulse then raw (should be 0)
     */
    public record Result(Percentiles pulse, Percentiles raw, int eventsPerSecond, int[] missed) {
    }

    private static final Duration BLOCK = Duration.ofSeconds(1);
    private static final String PADDING = "-" + "p".repeat(64);

    private final String redisUrl;
    private final int rate;
    private final Duration warmup;
    private final Duration window;
    private final int rounds;

    /**
     * @param redisUrl the Redis both sides go through
     * @param rate events per second
     * @param warmup how long each side runs before measuring
     * @param window how long one measured turn lasts
     * @param rounds how many measured turns each side gets
     */
    public StreamLatencyBenchmark(String redisUrl, int rate, Duration warmup, Duration window, int rounds) {
        this.redisUrl = redisUrl;
        this.rate = rate;
        this.warmup = warmup;
        this.window = window;
        this.rounds = rounds;
    }

    /** Runs both sides and returns their latency. */
    public Result run() throws Exception {
        int warmupEvents = events(warmup);
        int windowEvents = events(window);
        int total = warmupEvents + rounds * windowEvents;
        long origin = System.nanoTime();
        String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
        String pulseName = "bench-e2e-" + suffix;
        String rawKey = BenchKeys.LAYOUT.streamKey("bench-e2e-raw-" + suffix);

        PulseRedis writerRedis = PulseRedis.connect(redisUrl);
        PulseRedis readerRedis = PulseRedis.connect(redisUrl);
        RedisClient rawWriterClient = RedisClient.create(redisUrl);
        RedisClient rawReaderClient = RedisClient.create(redisUrl);
        Thread pulseThread = null;
        Thread rawThread = null;
        Recorder pulseSeen = new Recorder(total, origin);
        Recorder rawSeen = new Recorder(total, origin);
        try (StatefulRedisConnection<byte[], byte[]> rawWriter = rawWriterClient.connect(ByteArrayCodec.INSTANCE);
                StatefulRedisConnection<byte[], byte[]> rawReader = rawReaderClient.connect(ByteArrayCodec.INSTANCE)) {
            try {
                // Pulse: one facade writes, a reader of another facade pulls
                Stream writerStream = Stream.builder(pulseName, writerRedis).maxLen(StreamAddBenchmark.MAX_LEN).open();
                Reader reader = Stream.open(pulseName, readerRedis).reader().startAtNewest().blockDuration(BLOCK)
                        .maxPolled(1000).open();
                pulseThread = readLoop("pulse", pulseSeen, () -> {
                    List<Event> events = reader.read();
                    long now = System.nanoTime();
                    for (Event event : events) {
                        pulseSeen.record(event.payload(), now);
                    }
                });
                Side pulse = new Side(payload -> writerStream.addAsync(StreamAddBenchmark.EVENT_NAME, payload),
                        pulseSeen, origin);

                // raw: async XADD on one client, XREAD BLOCK on another
                byte[] key = rawKey.getBytes(StandardCharsets.UTF_8);
                RedisAsyncCommands<byte[], byte[]> rawAdd = rawWriter.async();
                XAddArgs trim = XAddArgs.Builder.maxlen(StreamAddBenchmark.MAX_LEN).approximateTrimming();
                byte[] fieldN = "n".getBytes(StandardCharsets.UTF_8);
                byte[] fieldP = "p".getBytes(StandardCharsets.UTF_8);
                byte[] name = StreamAddBenchmark.EVENT_NAME.getBytes(StandardCharsets.UTF_8);
                Side raw = new Side(payload -> {
                    Map<byte[], byte[]> body = new LinkedHashMap<>(4);
                    body.put(fieldN, name);
                    body.put(fieldP, payload);
                    return rawAdd.xadd(key, trim, body);
                }, rawSeen, origin);
                RedisCommands<byte[], byte[]> rawRead = rawReader.sync();
                XReadArgs blockArgs = XReadArgs.Builder.block(BLOCK.toMillis()).count(1000);
                String[] cursor = {"$"};
                rawThread = readLoop("raw", rawSeen, () -> {
                    List<StreamMessage<byte[], byte[]>> messages =
                            rawRead.xread(blockArgs, XReadArgs.StreamOffset.from(key, cursor[0]));
                    long now = System.nanoTime();
                    if (messages == null) {
                        messages = List.of();
                    }
                    if (cursor[0].equals("$")) {
                        // "$" on the first call only, made before the stream existed: from then on the
                        // last id seen, or the start of the (until then empty) stream
                        cursor[0] = "0-0";
                    }
                    for (StreamMessage<byte[], byte[]> message : messages) {
                        rawSeen.record(payloadOf(message), now);
                        cursor[0] = message.getId();
                    }
                });
                awaitFirstReads();

                List<Side> sides = List.of(pulse, raw);
                for (Side side : sides) {
                    side.turn(warmupEvents);
                }
                for (int r = 0; r < rounds; r++) {
                    for (int i = 0; i < sides.size(); i++) {
                        sides.get((r + i) % sides.size()).turn(windowEvents);
                    }
                }
                for (Side side : sides) {
                    side.check();
                }
                pulseSeen.stop = true;
                rawSeen.stop = true;
                reader.close();
                pulseThread.join(5_000);
                rawThread.join(BLOCK.toMillis() + 5_000);
                return new Result(Percentiles.of(pulseSeen.latency, warmupEvents, total),
                        Percentiles.of(rawSeen.latency, warmupEvents, total), rate,
                        new int[] {pulseSeen.missed(warmupEvents, total), rawSeen.missed(warmupEvents, total)});
            } finally {
                pulseSeen.stop = true;
                rawSeen.stop = true;
                rawWriter.sync().del(BenchKeys.LAYOUT.streamKey(pulseName).getBytes(StandardCharsets.UTF_8),
                        rawKey.getBytes(StandardCharsets.UTF_8));
            }
        } finally {
            readerRedis.close();
            writerRedis.close();
            if (rawThread != null) {
                rawThread.join(BLOCK.toMillis() + 2_000);
            }
            rawReaderClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            rawWriterClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /**
     * The raw reader's first XREAD uses {@code $}: it must reach Redis before the first event is sent,
     * or events are skipped. Both readers start before any send; this pause lets the first reads block.
     */
    private static void awaitFirstReads() throws InterruptedException {
        Thread.sleep(300);
    }

    /** The {@code p} field of a raw entry (byte-array keys: looked up by content, not identity). */
    private static byte[] payloadOf(StreamMessage<byte[], byte[]> message) {
        for (Map.Entry<byte[], byte[]> field : message.getBody().entrySet()) {
            byte[] k = field.getKey();
            if (k.length == 1 && k[0] == 'p') {
                return field.getValue();
            }
        }
        return null;
    }

    private int events(Duration d) {
        return (int) (d.toNanos() * rate / 1_000_000_000L);
    }

    /** Starts a daemon thread that runs {@code read} until the recorder is stopped. */
    private static Thread readLoop(String name, Recorder recorder, Runnable read) {
        Thread thread = new Thread(() -> {
            while (!recorder.stop) {
                try {
                    read.run();
                } catch (RuntimeException e) {
                    if (!recorder.stop) {
                        recorder.failure.compareAndSet(null, e);
                        return;
                    }
                }
            }
        }, "bench-e2e-reader-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** One writer and what its reader saw: sends events on an absolute schedule, numbered from 0 on. */
    private final class Side {
        private final Function<byte[], CompletionStage<?>> add;
        private final Recorder seen;
        private final long origin;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private int next;

        Side(Function<byte[], CompletionStage<?>> add, Recorder seen, long origin) {
            this.add = add;
            this.seen = seen;
            this.origin = origin;
        }

        /** Sends {@code count} events, then waits until the reader saw the last of them. */
        void turn(int count) throws InterruptedException {
            long interval = 1_000_000_000L / rate;
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long due = start + i * interval;
                long now;
                while ((now = System.nanoTime()) - due < 0) {
                    LockSupport.parkNanos(due - now);
                }
                int seq = next++;
                // seq:sentNanos-padding, the send time taken as late as possible
                byte[] payload = (seq + ":" + (System.nanoTime() - origin) + PADDING).getBytes(StandardCharsets.UTF_8);
                add.apply(payload).whenComplete((v, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            seen.awaitUpTo(next);
        }

        void check() {
            Throwable t = failure.get() != null ? failure.get() : seen.failure.get();
            if (t != null) {
                throw new IllegalStateException("an add or read failed: " + t, t);
            }
        }
    }

    /** Latency per sequence number, filled by the reading thread; 0 means not seen yet. */
    private static final class Recorder {
        final long[] latency;
        final long origin;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean stop;
        private volatile int seen;

        Recorder(int capacity, long origin) {
            this.latency = new long[capacity];
            this.origin = origin;
        }

        /** Records the payload {@code seq:sentNanos-...} as read at {@code now}. */
        void record(byte[] payload, long now) {
            if (payload == null) {
                return;
            }
            int colon = indexOf(payload, (byte) ':', 0);
            int dash = indexOf(payload, (byte) '-', colon + 1);
            if (colon < 0 || dash < 0) {
                return;
            }
            int seq = (int) parse(payload, 0, colon);
            long sent = parse(payload, colon + 1, dash);
            if (seq < latency.length && latency[seq] == 0) {
                latency[seq] = Math.max(1, now - origin - sent);
                seen = Math.max(seen, seq + 1); // one reading thread per recorder: no lost update
            }
        }

        /** Waits (at most 5 s) until the event numbered {@code count - 1} was read. */
        void awaitUpTo(int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (seen < count && System.nanoTime() - deadline < 0 && failure.get() == null) {
                Thread.sleep(5);
            }
            Thread.sleep(20);
        }

        int missed(int from, int to) {
            int missed = 0;
            for (int i = from; i < to; i++) {
                if (latency[i] == 0) {
                    missed++;
                }
            }
            return missed;
        }

        private static int indexOf(byte[] b, byte c, int from) {
            for (int i = from; i < b.length; i++) {
                if (b[i] == c) {
                    return i;
                }
            }
            return -1;
        }

        private static long parse(byte[] b, int from, int to) {
            long v = 0;
            for (int i = from; i < to; i++) {
                v = v * 10 + (b[i] - '0');
            }
            return v;
        }
    }
}
