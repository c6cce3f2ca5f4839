package io.pulse.streaming;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.PendingMessage;
import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
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

    final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    /** Deliveries per event id, for subscribers that behave differently on a redelivery. */
    final Map<String, Integer> deliveries = new ConcurrentHashMap<>();

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

    /** Counts the deliveries of {@code e}'s id so far, this one included. */
    int deliveryCount(Event e) {
        return deliveries.merge(e.id(), 1, Integer::sum);
    }

    Sink.Builder sink(Stream stream, String name) {
        return stream.sink(name).blockDuration(BLOCK).claimPeriod(CLAIM).ackGracePeriod(ackGrace());
    }

    List<String> pendingIds(Stream stream, String group) {
        return cli().xpending(key(stream), group, Range.create("-", "+"), Limit.from(10_000)).stream()
                .map(PendingMessage::getId).toList();
    }

    long pendingCount(Stream stream, String group) {
        return cli().xpending(key(stream), group).getCount();
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
