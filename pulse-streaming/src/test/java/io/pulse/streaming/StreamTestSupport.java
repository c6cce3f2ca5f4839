package io.pulse.streaming;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.PendingMessage;
import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;

/**
 * What the streaming tests share: short block, claim and grace periods, a connection per test, resources
 * closed after each test, recording subscribers, and what Redis holds (entries, pending ids, groups,
 * consumers). Each concrete class brings its own Redis ({@link #redis()}).
 */
abstract class StreamTestSupport {

    /** The Redis of the concrete test class. */
    abstract RedisServerExtension redis();

    /**
     * The ack grace period of {@link #sink}. A class that needs another declares a {@code GRACE} of its
     * own (its tests read that one) and returns it from {@link #ackGrace()}.
     */
    static final Duration GRACE = Duration.ofMillis(300);

    /** Daemon threads shared by the streaming test classes; idle ones end by themselves. */
    static final ExecutorService background = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "streaming-test");
        t.setDaemon(true);
        return t;
    });

    /** One connection per test class, as a service has one per process; the extension closes it after the class. */
    private static final Map<Class<?>, PulseRedis> CONNECTIONS = new ConcurrentHashMap<>();

    /** The class's connection to its Redis. */
    final PulseRedis redis = CONNECTIONS.computeIfAbsent(getClass(), c -> redis().newPulseRedis());

    Duration ackGrace() {
        return GRACE;
    }

    /** Short reads keep the tests quick; the claim period is the test hook of Go's 50 ms override. */
    static final Duration BLOCK = Duration.ofMillis(150);
    static final Duration CLAIM = Duration.ofMillis(50);
    /** Explicit entry ids around this Unix millisecond make start positions exact. */
    static final long T = 1_700_000_000_000L;

    final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    @AfterEach
    void closeWhatTheTestOpened() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    <T extends AutoCloseable> T closeLater(T resource) {
        toClose.push(resource);
        return resource;
    }

    /** For "nothing more happens": the condition must hold during the whole {@code period}. */
    static ConditionFactory throughout(Duration period) {
        return await().during(period).atMost(period.plusSeconds(15)).pollInterval(Duration.ofMillis(20));
    }

    RedisCommands<String, String> cli() {
        return redis().cli();
    }

    Stream newStream(String base) {
        return Stream.open(RedisServerExtension.uniqueName(base), redis);
    }

    Stream unboundedStream(String base) {
        return Stream.builder(RedisServerExtension.uniqueName(base), redis).maxLen(0).open();
    }

    static String key(Stream stream) {
        return "pulse:stream:" + stream.name();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(Event event) {
        return new String(event.payload(), StandardCharsets.UTF_8);
    }

    static List<String> ids(Collection<Event> events) {
        return events.stream().map(Event::id).toList();
    }

    static List<String> payloads(Collection<Event> events) {
        return events.stream().map(StreamTestSupport::text).toList();
    }

    /** Stream order of entry ids: by millisecond, then sequence. */
    static final Comparator<String> STREAM_ORDER = Comparator
            .<String>comparingLong(id -> Long.parseLong(id.substring(0, id.indexOf('-'))))
            .thenComparingLong(id -> Long.parseLong(id.substring(id.indexOf('-') + 1)));

    /** Adds {@code count} events (payload = index) pipelined; returns their ids in call order. */
    static List<String> addMany(Stream stream, int count) {
        List<CompletableFuture<String>> adds = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            adds.add(stream.addAsync("e", utf8(Integer.toString(i))));
        }
        CompletableFuture.allOf(adds.toArray(new CompletableFuture[0])).join();
        return adds.stream().map(CompletableFuture::join).toList();
    }

    /** Pulls with {@code read} until at least {@code count} events came. */
    List<Event> pullAtLeast(Supplier<List<Event>> read, int count) {
        List<Event> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).pollInSameThread().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1)).until(() -> {
                    got.addAll(read.get());
                    return got.size() >= count;
                });
        return got;
    }

    Sink.Builder sink(Stream stream, String name) {
        return stream.sink(name).blockDuration(BLOCK).claimPeriod(CLAIM).ackGracePeriod(ackGrace());
    }

    /** Pulls at least {@code count} events from {@code sink} and acknowledges them. */
    List<Event> readAndAck(Sink sink, int count) {
        List<Event> events = pullAtLeast(sink::read, count);
        sink.ack(events);
        return events;
    }

    List<PendingMessage> pending(Stream stream, String group) {
        return cli().xpending(key(stream), group, Range.create("-", "+"), Limit.from(100_000));
    }

    List<String> pendingIds(Stream stream, String group) {
        return pending(stream, group).stream().map(PendingMessage::getId).toList();
    }

    long pendingCount(Stream stream, String group) {
        return cli().xpending(key(stream), group).getCount();
    }

    /** Adds an entry with Pulse's fields and the given explicit id. */
    void addWithId(Stream stream, String id, String eventName) {
        cli().xadd(key(stream), new XAddArgs().id(id), Map.of("n", eventName, "p", eventName));
    }

    /** Four entries around {@link #T}: e0 at T, e1 and e2 at T+1 (seq 0 and 1), e3 at T+2. */
    Stream streamWithExplicitIds(String base) {
        Stream stream = newStream(base);
        addWithId(stream, T + "-0", "e0");
        addWithId(stream, (T + 1) + "-0", "e1");
        addWithId(stream, (T + 1) + "-1", "e2");
        addWithId(stream, (T + 2) + "-0", "e3");
        return stream;
    }

    static List<String> names(Collection<Event> events) {
        return events.stream().map(Event::eventName).toList();
    }

    record Line(String sku, int quantity) {
    }

    record Order(String id, List<Line> lines, boolean rush) {
    }

    record Invoice(String invoiceNumber, long totalCents) {
    }

    /** Deliveries per event id, for subscribers that behave differently on a redelivery. */
    final Map<String, Integer> deliveries = new ConcurrentHashMap<>();

    /** Counts the deliveries of {@code e}'s id so far, this one included. */
    int deliveryCount(Event e) {
        return deliveries.merge(e.id(), 1, Integer::sum);
    }

    /** The consumer names XINFO CONSUMERS lists for {@code group}. */
    List<String> consumers(Stream stream, String group) {
        List<String> names = new ArrayList<>();
        for (Object raw : cli().xinfoConsumers(key(stream), group)) {
            names.add(String.valueOf(field(raw, "name")));
        }
        return names;
    }

    /** The group names XINFO GROUPS lists (none if the stream does not exist). */
    List<String> groups(Stream stream) {
        if (cli().exists(key(stream)) == 0) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (Object raw : cli().xinfoGroups(key(stream))) {
            names.add(String.valueOf(field(raw, "name")));
        }
        return names;
    }

    static Object field(Object flatInfo, String name) {
        List<?> list = (List<?>) flatInfo;
        for (int i = 0; i + 1 < list.size(); i += 2) {
            if (name.equals(String.valueOf(list.get(i)))) {
                return list.get(i + 1);
            }
        }
        return null;
    }

    List<StreamMessage<String, String>> entries(Stream stream) {
        return cli().xrange(key(stream), Range.create("-", "+"));
    }

    /** Records what a subscription delivers (and when), then hands each event to {@code then}. */
    static final class Inbox implements Consumer<Event> {
        private final List<Event> events = new CopyOnWriteArrayList<>();
        private final List<Long> arrivals = new CopyOnWriteArrayList<>();
        private final Consumer<Event> then;

        Inbox() {
            this(e -> {
            });
        }

        Inbox(Consumer<Event> then) {
            this.then = then;
        }

        @Override
        public void accept(Event event) {
            arrivals.add(System.nanoTime());
            events.add(event);
            then.accept(event);
        }

        int size() {
            return events.size();
        }

        List<Event> events() {
            return List.copyOf(events);
        }

        Event get(int i) {
            return events.get(i);
        }

        long firstArrivalNanos() {
            return arrivals.get(0);
        }
    }
}
