package io.pulse.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.PendingMessage;
import io.pulse.core.ClosedException;
import io.pulse.core.PulseRedis;
import io.pulse.testing.RecordingLogger;
import io.pulse.testing.RedisServerExtension;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.event.Level;

/**
 * The streaming scenarios of Go Pulse's tests that the Java API can express,
 * run against a real Redis. Pull reads replace Go's channels where a scenario reads step by step; push
 * subscriptions are used where it subscribes.
 */
@Timeout(60)
class StreamingScenariosTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    /** Short reads keep the tests quick; the claim period is the test hook of Go's 50 ms override. */
    private static final Duration BLOCK = Duration.ofMillis(150);
    private static final Duration CLAIM = Duration.ofMillis(50);
    private static final Duration GRACE = Duration.ofMillis(300);

    private static PulseRedis redis;

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    /** Deliveries per event id, for subscribers that behave differently on a redelivery. */
    private final Map<String, Integer> deliveries = new ConcurrentHashMap<>();

    @BeforeAll
    static void connect() {
        redis = REDIS.newPulseRedis();
    }

    @AfterEach
    void closeWhatTheTestOpened() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    // ------------------------------------------------------------------ helpers

    private <T extends AutoCloseable> T closeLater(T resource) {
        toClose.push(resource);
        return resource;
    }

    private static ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10));
    }

    /** For "nothing more happens": the condition must hold during the whole {@code period}. */
    private static ConditionFactory throughout(Duration period) {
        return await().during(period).atMost(period.plusSeconds(15)).pollInterval(Duration.ofMillis(20));
    }

    private static RedisCommands<String, String> cli() {
        return REDIS.cli();
    }

    private static Stream newStream(String base) {
        return Stream.open(RedisServerExtension.uniqueName(base), redis);
    }

    private static String key(Stream stream) {
        return "pulse:stream:" + stream.name();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Event event) {
        return new String(event.payload(), StandardCharsets.UTF_8);
    }

    private static List<String> ids(Collection<Event> events) {
        return events.stream().map(Event::id).toList();
    }

    private static List<String> payloads(Collection<Event> events) {
        return events.stream().map(StreamingScenariosTest::text).toList();
    }

    /** Pulls with {@code read} until at least {@code count} events came. */
    private static List<Event> pullAtLeast(Supplier<List<Event>> read, int count) {
        List<Event> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).pollInSameThread().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1)).until(() -> {
                    got.addAll(read.get());
                    return got.size() >= count;
                });
        return got;
    }

    /** Counts the deliveries of {@code e}'s id so far, this one included. */
    private int deliveryCount(Event e) {
        return deliveries.merge(e.id(), 1, Integer::sum);
    }

    private Sink.Builder sink(Stream stream, String name) {
        return stream.sink(name).blockDuration(BLOCK).claimPeriod(CLAIM).ackGracePeriod(GRACE);
    }

    private static List<String> pendingIds(Stream stream, String group) {
        return cli().xpending(key(stream), group, Range.create("-", "+"), Limit.from(10_000)).stream()
                .map(PendingMessage::getId).toList();
    }

    private static long pendingCount(Stream stream, String group) {
        return cli().xpending(key(stream), group).getCount();
    }

    /** The consumer names XINFO CONSUMERS lists for {@code group}. */
    private static List<String> consumers(Stream stream, String group) {
        List<String> names = new ArrayList<>();
        for (Object raw : cli().xinfoConsumers(key(stream), group)) {
            names.add(String.valueOf(field(raw, "name")));
        }
        return names;
    }

    /** The group names XINFO GROUPS lists (none if the stream does not exist). */
    private static List<String> groups(Stream stream) {
        if (cli().exists(key(stream)) == 0) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (Object raw : cli().xinfoGroups(key(stream))) {
            names.add(String.valueOf(field(raw, "name")));
        }
        return names;
    }

    private static Object field(Object flatInfo, String name) {
        List<?> list = (List<?>) flatInfo;
        for (int i = 0; i + 1 < list.size(); i += 2) {
            if (name.equals(String.valueOf(list.get(i)))) {
                return list.get(i + 1);
            }
        }
        return null;
    }

    private static List<StreamMessage<String, String>> entries(Stream stream) {
        return cli().xrange(key(stream), Range.create("-", "+"));
    }

    /** Records what a subscription delivers, then hands each event to {@code then}. */
    private static final class Inbox implements Consumer<Event> {
        private final List<Event> events = new CopyOnWriteArrayList<>();
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
    }

    // ================================================================== 2.1 options

    @Test
    void streamMaxLenDefaultsTo1000AndTheOptionIsKept() {
        String name = RedisServerExtension.uniqueName("options");
        assertThat(Stream.open(name, redis).maxLen()).isEqualTo(1000);
        assertThat(Stream.builder(name, redis).maxLen(10).open().maxLen()).isEqualTo(10);
        assertThat(Stream.open(name, redis).name()).isEqualTo(name);
    }

    @Test
    void defaultMaxLenTrimsTheStreamToAbout1000Events() {
        Stream stream = newStream("default-maxlen");
        List<CompletableFuture<String>> adds = new ArrayList<>();
        for (int i = 0; i < 1_300; i++) {
            adds.add(stream.addAsync("e", utf8(Integer.toString(i))));
        }
        CompletableFuture.allOf(adds.toArray(new CompletableFuture[0])).join();
        eventually().until(() -> cli().xlen(key(stream)) <= 1_100);
        assertThat(cli().xlen(key(stream))).isGreaterThanOrEqualTo(1_000);
        // the newest events are the ones kept
        List<StreamMessage<String, String>> newest = cli().xrevrange(key(stream), Range.create("-", "+"), Limit.from(1));
        assertThat(newest.get(0).getBody()).containsEntry("p", "1299");
    }

    @Test
    void streamBuilderRejectsANegativeTtlAndANullLogger() {
        String name = RedisServerExtension.uniqueName("options");
        assertThatThrownBy(() -> Stream.builder(name, redis).ttl(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl must be >= 0");
        assertThatThrownBy(() -> Stream.builder(name, redis).slidingTtl(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl must be >= 0");
        assertThatThrownBy(() -> Stream.builder(name, redis).logger(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Stream.builder(name, null)).isInstanceOf(NullPointerException.class);
        // a zero TTL means "never expires"
        Stream stream = Stream.builder(name, redis).ttl(Duration.ZERO).open();
        stream.add("e", utf8("p"));
        assertThat(cli().pttl(key(stream))).isEqualTo(-1L);
    }

    @Test
    void aCustomLoggerGetsTheLogLinesOfTheStreamAndOfItsReaders() {
        RecordingLogger logger = new RecordingLogger();
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("logger"), redis).logger(logger).open();
        closeLater(stream.reader().blockDuration(BLOCK).open());
        stream.add("e", utf8("p"));
        stream.destroy();
        assertThat(logger.lines()).anyMatch(l -> l.message().contains("reader opened"));
        assertThat(logger.lines(Level.INFO, "stream deleted")).isNotEmpty();
    }

    @Test
    void readerAndSinkOptionsAreValidatedWhenSet() {
        Stream stream = newStream("options");
        assertThatThrownBy(() -> stream.reader().maxPolled(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stream.reader().bufferSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stream.sink("s").maxPolled(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stream.sink("s").bufferSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stream.sink("s").claimPeriod(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stream.reader().startAt(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> stream.reader().topic(null)).isInstanceOf(NullPointerException.class);
        // options validate without any Redis I/O
        assertThat(cli().exists(key(stream))).isZero();
    }

    @Test
    void maxPolledDefaultsTo1000AndLimitsAPullRead() {
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("maxpolled"), redis).maxLen(0).open();
        List<CompletableFuture<String>> adds = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            adds.add(stream.addAsync("e", utf8(Integer.toString(i))));
        }
        CompletableFuture.allOf(adds.toArray(new CompletableFuture[0])).join();

        Reader byDefault = closeLater(stream.reader().startAtOldest().blockDuration(BLOCK).open());
        assertThat(byDefault.read()).hasSize(1_000);
        assertThat(byDefault.read()).hasSize(500);
        Reader ten = closeLater(stream.reader().startAtOldest().maxPolled(10).blockDuration(BLOCK).open());
        assertThat(payloads(ten.read())).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

        Sink sinkByDefault = closeLater(sink(stream, RedisServerExtension.uniqueName("s")).startAtOldest().open());
        assertThat(sinkByDefault.read()).hasSize(1_000);
        Sink sinkTen = closeLater(sink(stream, RedisServerExtension.uniqueName("s")).startAtOldest().maxPolled(10).open());
        assertThat(sinkTen.read()).hasSize(10);
    }

    @Test
    void readerBufferSizeDoesNotLimitAPullRead() {
        // bufferSize is documented as the batch of a push subscription; maxPolled bounds a pull read
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("buffer"), redis).maxLen(0).open();
        for (int i = 0; i < 50; i++) {
            stream.add("e", utf8(Integer.toString(i)));
        }
        Reader reader = closeLater(stream.reader().startAtOldest().bufferSize(10).blockDuration(BLOCK).open());
        assertThat(reader.read()).hasSize(50);
    }

    @Test
    void sinkBufferSizeDoesNotLimitAPullRead() {
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("buffer"), redis).maxLen(0).open();
        for (int i = 0; i < 50; i++) {
            stream.add("e", utf8(Integer.toString(i)));
        }
        Sink sink = closeLater(sink(stream, RedisServerExtension.uniqueName("s")).startAtOldest().bufferSize(10).open());
        assertThat(sink.read()).hasSize(50);
    }

    @Test
    void blockDurationDefaultsToFiveSecondsForReadersAndSinks() throws Exception {
        Stream stream = newStream("default-block");
        Reader reader = closeLater(stream.reader().open());
        Sink sink = closeLater(stream.sink(RedisServerExtension.uniqueName("s")).open());
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<Long> readerMs = CompletableFuture.supplyAsync(() -> timed(reader::read), threads);
            CompletableFuture<Long> sinkMs = CompletableFuture.supplyAsync(() -> timed(sink::read), threads);
            assertThat(readerMs.get(30, TimeUnit.SECONDS)).isBetween(4_500L, 15_000L);
            assertThat(sinkMs.get(30, TimeUnit.SECONDS)).isBetween(4_500L, 15_000L);
        } finally {
            threads.shutdownNow();
        }
    }

    private static long timed(Supplier<List<Event>> read) {
        long start = System.nanoTime();
        List<Event> events = read.get();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(events).isEmpty();
        return ms;
    }

    // ================================================================== 2.2 stream

    @Test
    void destroyOfANeverWrittenStreamSucceedsAndDestroyAfterAnAddDeletesTheKey() {
        Stream stream = newStream("destroy");
        stream.destroy();
        assertThat(cli().exists(key(stream))).isZero();
        stream.add("e", utf8("p"));
        assertThat(cli().exists(key(stream))).isEqualTo(1L);
        stream.destroy();
        assertThat(cli().exists(key(stream))).isZero();
    }

    @Test
    void addAppendsOneEntryWithFieldsNAndPOnly() {
        Stream stream = newStream("add");
        String id = stream.add("foo", utf8("bar"));
        assertThat(id).matches("\\d+-\\d+");
        assertThat(cli().xlen(key(stream))).isEqualTo(1L);
        List<StreamMessage<String, String>> entries = entries(stream);
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).getId()).isEqualTo(id);
        assertThat(entries.get(0).getBody()).containsExactly(entry("n", "foo"), entry("p", "bar"));
    }

    @Test
    void addWithATopicAlsoWritesFieldT() {
        Stream stream = newStream("topic");
        stream.add("bar", utf8("baz"), AddOptions.topic("foo"));
        assertThat(entries(stream)).singleElement()
                .satisfies(m -> assertThat(m.getBody()).containsExactly(entry("n", "bar"), entry("p", "baz"), entry("t", "foo")));
        // combined options keep the topic; the later non-empty topic wins
        stream.add("bar", utf8("baz"), AddOptions.topic("a").and(AddOptions.topic("b")).and(AddOptions.onlyIfStreamExists()));
        assertThat(entries(stream).get(1).getBody()).containsEntry("t", "b");
    }

    @Test
    void addOnlyIfStreamExistsNeitherCreatesTheStreamNorAddsToAMissingOne() {
        Stream plain = newStream("nomk");
        assertThat(plain.add("e", utf8("p"), AddOptions.onlyIfStreamExists())).isNull();
        assertThat(cli().exists(key(plain))).isZero();
        plain.add("e", utf8("first"));
        assertThat(plain.add("e", utf8("second"), AddOptions.onlyIfStreamExists())).isNotNull();
        assertThat(cli().xlen(key(plain))).isEqualTo(2L);

        Stream withTtl = Stream.builder(RedisServerExtension.uniqueName("nomk-ttl"), redis).ttl(Duration.ofSeconds(30)).open();
        assertThat(withTtl.add("e", utf8("p"), AddOptions.onlyIfStreamExists())).isNull();
        assertThat(cli().exists(key(withTtl))).isZero();
        withTtl.add("e", utf8("first"));
        assertThat(withTtl.add("e", utf8("second"), AddOptions.onlyIfStreamExists())).isNotNull();
        assertThat(cli().xlen(key(withTtl))).isEqualTo(2L);
    }

    @Test
    void absoluteTtlIsSetByTheFirstAddAndNotExtendedByLaterAdds() {
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("ttl-abs"), redis).ttl(Duration.ofSeconds(5)).open();
        stream.add("e", utf8("1"));
        assertThat(cli().pttl(key(stream))).isBetween(1L, 5_000L);
        eventually().until(() -> cli().pttl(key(stream)) < 4_500);
        long before = cli().pttl(key(stream));
        stream.add("e", utf8("2"));
        long after = cli().pttl(key(stream));
        assertThat(after).isPositive().isLessThanOrEqualTo(before).isLessThan(4_500L);
        // the TTL also applies to entries added with a topic (same script)
        stream.add("e", utf8("3"), AddOptions.topic("t"));
        assertThat(cli().pttl(key(stream))).isPositive().isLessThan(4_500L);
    }

    @Test
    void slidingTtlIsRefreshedByEachAdd() {
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("ttl-sliding"), redis)
                .slidingTtl(Duration.ofSeconds(5)).open();
        stream.add("e", utf8("1"));
        assertThat(cli().pttl(key(stream))).isBetween(1L, 5_000L);
        eventually().until(() -> cli().pttl(key(stream)) < 4_000);
        stream.add("e", utf8("2"));
        assertThat(cli().pttl(key(stream))).isGreaterThan(4_500L);
    }

    @Test
    void openingASinkAppliesTheStreamTtlToTheStreamItCreates() {
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("ttl-sink"), redis).ttl(Duration.ofSeconds(30)).open();
        closeLater(sink(stream, RedisServerExtension.uniqueName("s")).open());
        assertThat(cli().exists(key(stream))).isEqualTo(1L);
        assertThat(cli().pttl(key(stream))).isBetween(1L, 30_000L);
    }

    @Test
    void destroyLeavesTheSinkRegistryMapWithOnlyTheRmapDestroyTombstone() {
        Stream stream = newStream("tombstone");
        String gateway = RedisServerExtension.uniqueName("gateway");
        sink(stream, gateway).open().close();
        String registry = "map:stream:" + stream.name() + ":sinks:content";
        assertThat(cli().exists(registry)).isEqualTo(1L);

        stream.destroy();

        Map<String, String> content = cli().hgetall(registry);
        assertThat(content).containsOnlyKeys("=rev", "=kind").containsEntry("=kind", "destroy");
        assertThat(content.get("=rev")).matches("\\d+");
        assertThat(cli().exists(key(stream))).isZero();
    }

    @Test
    void removeDeletesOnlyTheGivenEvents() {
        Stream stream = newStream("remove");
        String first = stream.add("e", utf8("1"));
        String second = stream.add("e", utf8("2"));
        assertThat(cli().xlen(key(stream))).isEqualTo(2L);
        assertThat(stream.remove(first)).isEqualTo(1L);
        assertThat(cli().xlen(key(stream))).isEqualTo(1L);
        assertThat(entries(stream)).extracting(StreamMessage::getId).containsExactly(second);
        assertThat(stream.remove(first)).isZero();
        assertThatThrownBy(() -> stream.remove("not-an-id")).isInstanceOf(IllegalArgumentException.class);
    }

    // ================================================================== 2.3 reader

    @Test
    void aReaderOpensAndClosesWithoutLeavingKeysAndRejectsAnInvalidTopicPattern() {
        Stream stream = newStream("new-reader");
        Reader reader = stream.reader().blockDuration(BLOCK).open();
        assertThat(reader.read()).isEmpty();
        assertThat(reader.streamNames()).containsExactly(stream.name());
        reader.close();
        reader.close();
        assertThat(reader.isClosed()).isTrue();
        stream.destroy();
        assertThat(cli().keys("*" + stream.name() + "*")).isEmpty();

        assertThatThrownBy(() -> stream.reader().topicPattern("("))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("topic pattern must be a valid regex: ");
    }

    @Test
    void aReaderSubscriptionReceivesAnAddedEvent() {
        Stream stream = newStream("read-once");
        Reader reader = closeLater(stream.reader().startAtOldest().blockDuration(BLOCK).open());
        Inbox inbox = new Inbox();
        closeLater(reader.subscribe(inbox));
        String id = stream.add("event", utf8("payload"));
        eventually().until(() -> inbox.size() == 1);
        Event event = inbox.get(0);
        assertThat(event.id()).isEqualTo(id);
        assertThat(event.eventName()).isEqualTo("event");
        assertThat(text(event)).isEqualTo("payload");
        assertThat(event.streamName()).isEqualTo(stream.name());
        assertThat(event.sinkName()).isEmpty();
        assertThat(event.topic()).isEmpty();
    }

    @Test
    void readersStartingAfterAnEventIdReadTheEventsAfterIt() {
        Stream stream = newStream("since-last");
        Reader first = closeLater(stream.reader().startAtOldest().blockDuration(BLOCK).open());
        String id1 = stream.add("event", utf8("payload"));
        String id2 = stream.add("event", utf8("payload2"));
        assertThat(payloads(pullAtLeast(first::read, 2))).containsExactly("payload", "payload2");

        Reader afterFirst = closeLater(stream.reader().startAfter(id1).blockDuration(BLOCK).open());
        List<Event> rest = pullAtLeast(afterFirst::read, 1);
        assertThat(ids(rest)).containsExactly(id2);
        assertThat(afterFirst.read()).isEmpty();

        Reader afterZero = closeLater(stream.reader().startAfter("0").blockDuration(BLOCK).open());
        assertThat(ids(pullAtLeast(afterZero::read, 2))).containsExactly(id1, id2);
    }

    @Test
    void closingAReaderKeepsTheStreamAndDestroyRemovesIt() {
        Stream stream = newStream("cleanup-reader");
        Reader reader = stream.reader().startAtOldest().blockDuration(BLOCK).open();
        stream.add("e", utf8("p"));
        assertThat(pullAtLeast(reader::read, 1)).hasSize(1);
        reader.close();
        assertThat(cli().exists(key(stream))).isEqualTo(1L);
        assertThat(cli().xlen(key(stream))).isEqualTo(1L);
        stream.destroy();
        assertThat(cli().exists(key(stream))).isZero();
    }

    @Test
    void readerAddStreamIsIdempotentAndReadsBothStreamsInOrder() {
        Stream a = newStream("fan-in-a");
        Stream b = newStream("fan-in-b");
        Reader reader = closeLater(a.reader().startAtOldest().blockDuration(BLOCK).open());
        Inbox inbox = new Inbox();
        closeLater(reader.subscribe(inbox));
        reader.addStream(b);
        reader.addStream(b);
        assertThat(reader.streamNames()).containsExactly(a.name(), b.name());

        String idA = a.add("ea", utf8("from a"));
        String idB = b.add("eb", utf8("from b"));
        eventually().until(() -> inbox.size() >= 2);
        throughout(Duration.ofMillis(400)).until(() -> inbox.size() == 2);
        assertThat(inbox.events()).extracting(Event::streamName).containsExactly(a.name(), b.name());
        assertThat(ids(inbox.events())).containsExactly(idA, idB);
    }

    @Test
    void readerRemoveStreamStopsReadingThatStream() {
        Stream a = newStream("remove-a");
        Stream b = newStream("remove-b");
        Reader reader = closeLater(a.reader().startAtOldest().blockDuration(BLOCK).open());
        reader.addStream(b);
        Inbox inbox = new Inbox();
        closeLater(reader.subscribe(inbox));
        a.add("ea1", utf8("a1"));
        b.add("eb1", utf8("b1"));
        eventually().until(() -> inbox.size() == 2);
        assertThat(inbox.events()).extracting(Event::streamName).containsExactlyInAnyOrder(a.name(), b.name());

        reader.removeStream(b);
        reader.removeStream(b);
        assertThat(reader.streamNames()).containsExactly(a.name());
        b.add("eb2", utf8("b2"));
        String a2 = a.add("ea2", utf8("a2"));
        eventually().until(() -> inbox.size() >= 3);
        assertThat(inbox.get(2).id()).isEqualTo(a2);
        throughout(Duration.ofMillis(400)).until(() -> inbox.size() == 3);
        // a pull read on the same reader no longer reads b either
        assertThat(pullAtLeast(reader::read, 2)).extracting(Event::streamName).containsOnly(a.name());
    }

    /**
     * The CPU time the live thread named {@code name} uses during two seconds. An idle thread uses a few
     * milliseconds; a spinning one, even on a loaded two-core machine, hundreds.
     */
    private static long cpuMillisDuringTwoSeconds(String name) {
        Thread thread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no thread named " + name));
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long before = mx.getThreadCpuTime(thread.getId());
        // a measuring window, not a wait for something to happen
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> true);
        return TimeUnit.NANOSECONDS.toMillis(mx.getThreadCpuTime(thread.getId()) - before);
    }

    @Test
    void aReaderSubscriptionLeftWithoutStreamsWaitsInsteadOfSpinning() {
        Stream stream = newStream("reader-no-streams");
        Reader reader = closeLater(stream.reader().startAtOldest().blockDuration(BLOCK).open());
        Inbox inbox = new Inbox();
        closeLater(reader.subscribe(inbox));
        reader.removeStream(stream);
        assertThat(reader.streamNames()).isEmpty();

        assertThat(cpuMillisDuringTwoSeconds("pulse-reader-" + stream.name()))
                .as("CPU time of the idle subscription thread during 2 s").isLessThan(100L);

        reader.addStream(stream);
        String id = stream.add("e", utf8("p"));
        eventually().until(() -> inbox.size() == 1);
        assertThat(inbox.get(0).id()).isEqualTo(id);
    }

    @Test
    void aSinkSubscriptionLeftWithoutStreamsWaitsInsteadOfSpinning() {
        Stream stream = newStream("sink-no-streams");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(stream, name).startAtOldest().open());
        Inbox inbox = new Inbox(sink::ack);
        closeLater(sink.subscribe(inbox));
        sink.removeStream(stream);
        assertThat(sink.streamNames()).isEmpty();

        assertThat(cpuMillisDuringTwoSeconds("pulse-sink-" + name))
                .as("CPU time of the idle subscription thread during 2 s").isLessThan(100L);

        sink.addStream(stream);
        String id = stream.add("e", utf8("p"));
        eventually().until(() -> inbox.size() == 1);
        assertThat(inbox.get(0).id()).isEqualTo(id);
    }

    @Test
    void readerAddStreamStartsAfterTheGivenIdOrElseAtTheReadersStart() {
        Stream a = newStream("addstream-a");
        Stream b = newStream("addstream-b");
        String b1 = b.add("e", utf8("b1"));
        String b2 = b.add("e", utf8("b2"));

        Reader afterB1 = closeLater(a.reader().startAtOldest().blockDuration(BLOCK).open());
        afterB1.addStream(b, b1);
        assertThat(ids(pullAtLeast(afterB1::read, 1))).containsExactly(b2);
        assertThat(afterB1.read()).isEmpty();

        Reader inheriting = closeLater(a.reader().startAtOldest().blockDuration(BLOCK).open());
        inheriting.addStream(b);
        assertThat(ids(pullAtLeast(inheriting::read, 2))).containsExactly(b1, b2);

        Reader newest = closeLater(a.reader().blockDuration(BLOCK).open());
        newest.addStream(b);
        String b3 = b.add("e", utf8("b3"));
        assertThat(ids(pullAtLeast(newest::read, 1))).containsExactly(b3);

        assertThatThrownBy(() -> inheriting.addStream(b, "nope")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everySubscriptionOfAReaderSeesEveryEventFromTheReadersStart() {
        Stream stream = newStream("reader-subs");
        Reader reader = closeLater(stream.reader().startAtOldest().blockDuration(BLOCK).open());
        List<String> added = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            added.add(stream.add("e", utf8("early" + i)));
        }
        Inbox one = new Inbox();
        Inbox two = new Inbox();
        closeLater(reader.subscribe(one));
        closeLater(reader.subscribe(two));
        added.add(stream.add("e", utf8("late")));
        eventually().until(() -> one.size() >= 4 && two.size() >= 4);
        throughout(Duration.ofMillis(300)).until(() -> one.size() == 4 && two.size() == 4);
        assertThat(ids(one.events())).containsExactlyElementsOf(added);
        assertThat(ids(two.events())).containsExactlyElementsOf(added);
        // pull reads have their own cursor, from the start too
        assertThat(ids(pullAtLeast(reader::read, 4))).containsExactlyElementsOf(added);
    }

    @Test
    void eventCreatedAtIsTheMillisecondPartOfTheIdInUtc() {
        Stream stream = newStream("created-at");
        cli().xadd(key(stream), new XAddArgs().id("1640995200123-4"), Map.of("n", "e", "p", "x"));
        String generated = stream.add("e", utf8("y"));
        Reader reader = closeLater(stream.reader().startAtOldest().blockDuration(BLOCK).open());
        List<Event> events = pullAtLeast(reader::read, 2);
        assertThat(events.get(0).id()).isEqualTo("1640995200123-4");
        assertThat(events.get(0).createdAt()).isEqualTo(Instant.parse("2022-01-01T00:00:00.123Z"));
        assertThat(events.get(1).createdAt())
                .isEqualTo(Instant.ofEpochMilli(Long.parseLong(generated.substring(0, generated.indexOf('-')))));
    }

    @Test
    void aClosedReaderRejectsReadsAndSubscriptions() {
        Stream stream = newStream("closed-reader");
        Reader reader = stream.reader().blockDuration(BLOCK).open();
        reader.close();
        assertThatThrownBy(reader::read).isInstanceOf(ClosedException.class);
        assertThatThrownBy(() -> reader.subscribe(e -> {
        })).isInstanceOf(ClosedException.class);
        assertThatThrownBy(() -> reader.addStream(newStream("other"))).isInstanceOf(ClosedException.class);
    }

    // ================================================================== 2.4 sink

    @Test
    void aSinkOpensWithAGroupAndAConsumerAndRejectsAnInvalidTopicPattern() {
        Stream stream = newStream("new-sink");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(stream.sink(name).blockDuration(Duration.ofMillis(50)).open());
        assertThat(sink.name()).isEqualTo(name);
        assertThat(sink.consumer()).matches("[0-9A-HJKMNP-TV-Z]{26}");
        assertThat(sink.streamNames()).containsExactly(stream.name());
        assertThat(groups(stream)).containsExactly(name);
        assertThat(consumers(stream, name)).containsExactly(sink.consumer());
        assertThat(cli().hget("map:sink:" + name + ":keepalive:content", sink.consumer())).matches("\\d+");
        assertThat(cli().hget("map:stream:" + stream.name() + ":sinks:content", name)).contains(sink.consumer());

        assertThatThrownBy(() -> stream.sink(name).topicPattern("("))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("topic pattern must be a valid regex: ");
    }

    @Test
    void aSinkSubscriptionReceivesAnEventAndItsAckClearsThePendingEntry() {
        Stream stream = newStream("sink-once");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(stream, name).startAtOldest().open());
        Inbox inbox = new Inbox();
        closeLater(sink.subscribe(inbox));
        String id = stream.add("event", utf8("payload"));
        eventually().until(() -> inbox.size() == 1);
        Event event = inbox.get(0);
        assertThat(event.id()).isEqualTo(id);
        assertThat(event.sinkName()).isEqualTo(name);
        assertThat(event.streamName()).isEqualTo(stream.name());
        assertThat(text(event)).isEqualTo("payload");
        assertThat(pendingIds(stream, name)).containsExactly(id);

        sink.ack(event);
        assertThat(pendingCount(stream, name)).isZero();
    }

    @Test
    void sinksOfOtherNamesStartAfterTheGivenId() {
        Stream stream = newStream("sink-since");
        String name = RedisServerExtension.uniqueName("sink");
        Sink first = closeLater(sink(stream, name).startAtOldest().open());
        Inbox firstInbox = new Inbox(first::ack);
        closeLater(first.subscribe(firstInbox));
        String id1 = stream.add("event", utf8("payload"));
        String id2 = stream.add("event", utf8("payload2"));
        eventually().until(() -> firstInbox.size() >= 2);
        assertThat(payloads(firstInbox.events())).containsExactly("payload", "payload2");
        eventually().until(() -> pendingCount(stream, name) == 0);

        Sink second = closeLater(sink(stream, RedisServerExtension.uniqueName("sink2")).startAfter(id1).open());
        List<Event> secondGot = pullAtLeast(second::read, 1);
        assertThat(ids(secondGot)).containsExactly(id2);
        assertThat(payloads(secondGot)).containsExactly("payload2");
        second.ack(secondGot);
        assertThat(second.read()).isEmpty();

        Sink third = closeLater(sink(stream, RedisServerExtension.uniqueName("sink3")).startAfter("0").open());
        List<Event> thirdGot = pullAtLeast(third::read, 2);
        assertThat(ids(thirdGot)).containsExactly(id1, id2);
        third.ack(thirdGot);
    }

    @Test
    void closingASinkKeepsTheStreamRemovesAnIdleConsumerAndDestroyRemovesTheStream() {
        Stream stream = newStream("cleanup-sink");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = sink(stream, name).startAtOldest().open();
        Sink holder = sink(stream, name).open();
        stream.add("e", utf8("p"));
        List<Event> got = pullAtLeast(sink::read, 1);
        sink.ack(got);
        stream.add("e", utf8("held"));
        assertThat(pullAtLeast(holder::read, 1)).hasSize(1);
        sink.close();
        sink.close();
        holder.close();
        assertThat(sink.isClosed()).isTrue();
        assertThat(cli().exists(key(stream))).isEqualTo(1L);
        // an instance with nothing pending leaves no consumer, keep-alive or registry entry behind...
        assertThat(cli().hget("map:sink:" + name + ":keepalive:content", sink.consumer())).isNull();
        // ...while one holding an unacknowledged event stays, so another instance re-claims the event
        assertThat(consumers(stream, name)).containsExactly(holder.consumer());
        assertThat(cli().hget("map:sink:" + name + ":keepalive:content", holder.consumer())).isNotNull();
        assertThatThrownBy(sink::read).isInstanceOf(ClosedException.class);
        assertThatThrownBy(() -> sink.subscribe(e -> {
        })).isInstanceOf(ClosedException.class);

        stream.destroy();
        assertThat(cli().exists(key(stream))).isZero();
    }

    @Test
    void sinkAddStreamIsIdempotentAndConsumesBothStreams() {
        Stream a = newStream("sink-fan-in-a");
        Stream b = newStream("sink-fan-in-b");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(a, name).startAtOldest().open());
        Inbox inbox = new Inbox(sink::ack);
        closeLater(sink.subscribe(inbox));
        sink.addStream(b);
        sink.addStream(b);
        assertThat(sink.streamNames()).containsExactly(a.name(), b.name());
        assertThat(groups(b)).containsExactly(name);
        assertThat(cli().hget("map:stream:" + b.name() + ":sinks:content", name)).contains(sink.consumer());

        String idA = a.add("ea", utf8("a"));
        String idB = b.add("eb", utf8("b"));
        eventually().until(() -> inbox.size() >= 2);
        throughout(Duration.ofMillis(400)).until(() -> inbox.size() == 2);
        assertThat(ids(inbox.events())).containsExactly(idA, idB);
        assertThat(inbox.events()).extracting(Event::streamName).containsExactly(a.name(), b.name());
        eventually().until(() -> pendingCount(a, name) == 0 && pendingCount(b, name) == 0);
    }

    @Test
    void sinkRemoveStreamStopsConsumingItAndDestroysTheGroupLeftWithoutInstances() {
        Stream a = newStream("sink-remove-a");
        Stream b = newStream("sink-remove-b");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(a, name).startAtOldest().open());
        sink.addStream(b);
        Inbox inbox = new Inbox(sink::ack);
        closeLater(sink.subscribe(inbox));
        a.add("event1", utf8("1"));
        b.add("event2", utf8("2"));
        eventually().until(() -> inbox.size() == 2);
        assertThat(inbox.events()).extracting(Event::eventName).containsExactlyInAnyOrder("event1", "event2");

        sink.removeStream(b);
        sink.removeStream(b);
        assertThat(sink.streamNames()).containsExactly(a.name());
        assertThat(groups(b)).isEmpty();
        String id3 = a.add("event3", utf8("3"));
        eventually().until(() -> inbox.size() == 3);
        assertThat(inbox.get(2).id()).isEqualTo(id3);

        sink.addStream(b, id3);
        sink.removeStream(a);
        assertThat(sink.streamNames()).containsExactly(b.name());
        assertThat(groups(a)).isEmpty();
        a.add("ignored", utf8("x"));
        String id4 = b.add("event4", utf8("4"));
        eventually().until(() -> inbox.size() >= 4);
        throughout(Duration.ofMillis(400)).until(() -> inbox.size() == 4);
        assertThat(inbox.get(3).id()).isEqualTo(id4);
        assertThat(inbox.get(3).eventName()).isEqualTo("event4");
    }

    @Test
    void twoInstancesOfOneSinkDeliverAnEventOnlyOnce() {
        Stream stream = newStream("multi");
        String name = RedisServerExtension.uniqueName("sink");
        Sink one = closeLater(sink(stream, name).open());
        Sink two = closeLater(sink(stream, name).open());
        Inbox inboxOne = new Inbox(one::ack);
        Inbox inboxTwo = new Inbox(two::ack);
        closeLater(one.subscribe(inboxOne));
        closeLater(two.subscribe(inboxTwo));
        String id = stream.add("event", utf8("payload"));
        eventually().until(() -> inboxOne.size() + inboxTwo.size() >= 1);
        // longer than several grace periods: an acked event is never redelivered
        throughout(GRACE.multipliedBy(4)).until(() -> inboxOne.size() + inboxTwo.size() == 1);
        List<Event> all = new ArrayList<>(inboxOne.events());
        all.addAll(inboxTwo.events());
        assertThat(ids(all)).containsExactly(id);
        assertThat(pendingCount(stream, name)).isZero();
    }

    @Test
    void anUnackedEventIsRedeliveredAfterTheAckGracePeriod() {
        Stream stream = newStream("claim");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(stream, name).open());
        Map<String, Long> firstSeenNanos = new ConcurrentHashMap<>();
        List<Long> redeliveryDelaysMs = new CopyOnWriteArrayList<>();
        Inbox inbox = new Inbox(e -> {
            Long first = firstSeenNanos.putIfAbsent(e.id(), System.nanoTime());
            if (first != null) {
                redeliveryDelaysMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - first));
                sink.ack(e);
            }
        });
        closeLater(sink.subscribe(inbox));
        String id = stream.add("event", utf8("payload"));
        eventually().until(() -> inbox.size() == 2);
        assertThat(ids(inbox.events())).containsExactly(id, id);
        assertThat(redeliveryDelaysMs.get(0)).isGreaterThanOrEqualTo(GRACE.toMillis() - 20);
        throughout(GRACE.multipliedBy(4)).until(() -> inbox.size() == 2);
        assertThat(pendingCount(stream, name)).isZero();
    }

    @Test
    void anUnackedEventOfAClosedInstanceIsDeliveredToAnotherInstance() {
        Stream stream = newStream("crash");
        String name = RedisServerExtension.uniqueName("sink");
        Sink[] instances = {closeLater(sink(stream, name).ackGracePeriod(Duration.ofMillis(500)).open()),
            closeLater(sink(stream, name).ackGracePeriod(Duration.ofMillis(500)).open())};
        Set<Integer> acking = ConcurrentHashMap.newKeySet();
        List<Inbox> inboxes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int index = i;
            Inbox inbox = new Inbox(e -> {
                if (acking.contains(index)) {
                    instances[index].ack(e);
                }
            });
            inboxes.add(inbox);
            closeLater(instances[i].subscribe(inbox));
        }
        String id = stream.add("event", utf8("payload"));
        eventually().until(() -> inboxes.get(0).size() + inboxes.get(1).size() >= 1);
        int receiver = inboxes.get(0).size() > 0 ? 0 : 1;
        int survivor = 1 - receiver;
        acking.add(survivor);
        instances[receiver].close();
        assertThat(ids(inboxes.get(receiver).events())).containsExactly(id);

        eventually().until(() -> inboxes.get(survivor).size() >= 1);
        assertThat(ids(inboxes.get(survivor).events())).containsExactly(id);
        eventually().until(() -> pendingCount(stream, name) == 0);
        throughout(Duration.ofSeconds(1)).until(() -> inboxes.get(survivor).size() == 1);
    }

    @Test
    void aStaleConsumerIsDeletedOnceItsEventWasClaimedByAnotherInstance() {
        Stream stream = newStream("stale");
        String name = RedisServerExtension.uniqueName("sink");
        Sink first = sink(stream, name).open();
        closeLater(first);
        String id = stream.add("event", utf8("payload"));
        assertThat(ids(pullAtLeast(first::read, 1))).containsExactly(id);

        Sink second = closeLater(sink(stream, name).open());
        eventually().until(() -> consumers(stream, name).size() == 2);
        first.close();

        eventually().until(() -> consumers(stream, name).equals(List.of(second.consumer())));
        eventually().until(() -> !cli().hexists("map:sink:" + name + ":keepalive:content", first.consumer()));
        eventually().until(() -> !cli().hget("map:stream:" + stream.name() + ":sinks:content", name)
                .contains(first.consumer()));
        assertThat(cli().hget("map:stream:" + stream.name() + ":sinks:content", name)).contains(second.consumer());

        Inbox inbox = new Inbox(second::ack);
        closeLater(second.subscribe(inbox));
        eventually().until(() -> inbox.size() >= 1);
        assertThat(ids(inbox.events())).containsExactly(id);
        eventually().until(() -> pendingCount(stream, name) == 0);
    }

    @Test
    void aNoAckSinkLeavesNothingPendingAndNeverRedelivers() {
        Stream stream = newStream("noack");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(stream, name).noAck().open());
        Inbox inbox = new Inbox();
        closeLater(sink.subscribe(inbox));
        stream.add("e", utf8("1"));
        stream.add("e", utf8("2"));
        eventually().until(() -> inbox.size() == 2);
        assertThat(pendingCount(stream, name)).isZero();
        throughout(GRACE.multipliedBy(4)).until(() -> inbox.size() == 2);
        assertThat(sink.ackAsync(inbox.events()).join()).isZero();
    }

    @Test
    void subscriptionsOfOneSinkInstanceShareItsEvents() {
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("shared"), redis).maxLen(0).open();
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(stream, name).bufferSize(5).open());
        Inbox one = new Inbox(sink::ack);
        Inbox two = new Inbox(sink::ack);
        closeLater(sink.subscribe(one));
        closeLater(sink.subscribe(two));
        Set<String> added = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            added.add(stream.add("e", utf8(Integer.toString(i))));
        }
        eventually().until(() -> one.size() + two.size() >= 200);
        throughout(Duration.ofMillis(300)).until(() -> one.size() + two.size() == 200);
        Set<String> union = new HashSet<>(ids(one.events()));
        union.addAll(ids(two.events()));
        assertThat(union).isEqualTo(added);
    }

    @Test
    void aSinkRecreatesItsGroupWhenItsStreamIsDestroyedAndReadsNewEvents() {
        Stream stream = newStream("sink-destroyed");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(stream, name).startAtOldest().open());
        Inbox inbox = new Inbox(sink::ack);
        closeLater(sink.subscribe(inbox));
        stream.add("e", utf8("before"));
        eventually().until(() -> inbox.size() == 1);

        stream.destroy();
        String after = stream.add("e", utf8("after"));
        eventually().until(() -> inbox.size() >= 2);
        assertThat(inbox.get(1).id()).isEqualTo(after);
        assertThat(groups(stream)).containsExactly(name);
    }

    @Test
    void aThrowingReaderSubscriberDoesNotStopTheDeliveryOfLaterEvents() {
        Stream stream = newStream("reader-throws");
        Reader reader = closeLater(stream.reader().blockDuration(BLOCK).open());
        Inbox inbox = new Inbox(e -> {
            if (text(e).equals("bad")) {
                throw new IllegalStateException("handler failure (expected by the test)");
            }
        });
        closeLater(reader.subscribe(inbox));
        stream.add("e", utf8("bad"));
        String good = stream.add("e", utf8("good"));
        eventually().until(() -> inbox.size() >= 2);
        throughout(Duration.ofMillis(300)).until(() -> inbox.size() == 2);
        assertThat(inbox.get(1).id()).isEqualTo(good);
    }

    @Test
    void anEventWhoseSinkSubscriberThrewIsDeliveredAgainAfterTheGracePeriod() {
        Stream stream = newStream("sink-throws");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(stream, name).open());
        Inbox inbox = new Inbox(e -> {
            if (deliveryCount(e) == 1) {
                throw new IllegalStateException("handler failure (expected by the test)");
            }
            sink.ack(e);
        });
        closeLater(sink.subscribe(inbox));
        String id = stream.add("e", utf8("p"));
        eventually().until(() -> inbox.size() >= 2);
        throughout(GRACE.multipliedBy(3)).until(() -> inbox.size() == 2);
        assertThat(ids(inbox.events())).containsExactly(id, id);
        assertThat(pendingCount(stream, name)).isZero();
    }

    @Test
    void aReaderAndASinkCanBeClosedFromTheirOwnSubscriber() {
        Stream stream = newStream("close-from-callback");
        Reader reader = closeLater(stream.reader().blockDuration(BLOCK).open());
        Sink sink = closeLater(sink(stream, RedisServerExtension.uniqueName("sink")).open());
        Inbox readerInbox = new Inbox(e -> reader.close());
        Inbox sinkInbox = new Inbox(e -> {
            sink.ack(e);
            sink.close();
        });
        closeLater(reader.subscribe(readerInbox));
        closeLater(sink.subscribe(sinkInbox));
        stream.add("e", utf8("1"));
        eventually().until(() -> reader.isClosed() && sink.isClosed());
        stream.add("e", utf8("2"));
        throughout(Duration.ofMillis(400)).until(() -> readerInbox.size() == 1 && sinkInbox.size() == 1);
        assertThatThrownBy(reader::read).isInstanceOf(ClosedException.class);
        assertThatThrownBy(sink::read).isInstanceOf(ClosedException.class);
    }

    @Test
    void aSinkRejectsAcksOfEventsItDidNotRead() {
        Stream stream = newStream("foreign-ack");
        Reader reader = closeLater(stream.reader().startAtOldest().blockDuration(BLOCK).open());
        Sink sink = closeLater(sink(stream, RedisServerExtension.uniqueName("sink")).startAtOldest().open());
        Sink other = closeLater(sink(stream, RedisServerExtension.uniqueName("other")).startAtOldest().open());
        stream.add("e", utf8("p"));
        Event fromReader = pullAtLeast(reader::read, 1).get(0);
        Event fromOther = pullAtLeast(other::read, 1).get(0);
        assertThatThrownBy(() -> sink.ack(fromReader)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sink.ack(fromOther)).isInstanceOf(IllegalArgumentException.class);
        assertThat(pendingIds(stream, other.name())).containsExactly(fromOther.id());
    }
}
