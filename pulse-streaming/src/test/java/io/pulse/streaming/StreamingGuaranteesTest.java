package io.pulse.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.PendingMessage;
import io.pulse.core.ClosedException;
import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.PatternSyntaxException;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The delivery guarantees of streams, readers and sinks under volume and failure (fan-out, work
 * queue, at-least-once, filters, start positions, trimming), and how each call treats bad input.
 */
@Timeout(60)
class StreamingGuaranteesTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration BLOCK = Duration.ofMillis(150);
    private static final Duration CLAIM = Duration.ofMillis(50);
    private static final Duration GRACE = Duration.ofMillis(500);
    /** Explicit entry ids around this Unix millisecond make start positions exact. */
    private static final long T = 1_700_000_000_000L;

    private static PulseRedis redis;
    private static ExecutorService background;

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    @BeforeAll
    static void connect() {
        redis = REDIS.newPulseRedis();
        background = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stopThreads() {
        background.shutdownNow();
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

    private static Stream unboundedStream(String base) {
        return Stream.builder(RedisServerExtension.uniqueName(base), redis).maxLen(0).open();
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
        return events.stream().map(StreamingGuaranteesTest::text).toList();
    }

    /** Stream order of entry ids: by millisecond, then sequence. */
    private static final Comparator<String> STREAM_ORDER = Comparator
            .<String>comparingLong(id -> Long.parseLong(id.substring(0, id.indexOf('-'))))
            .thenComparingLong(id -> Long.parseLong(id.substring(id.indexOf('-') + 1)));

    /** Adds {@code count} events (payload = index) pipelined; returns their ids in call order. */
    private static List<String> addMany(Stream stream, int count) {
        List<CompletableFuture<String>> adds = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            adds.add(stream.addAsync("e", utf8(Integer.toString(i))));
        }
        CompletableFuture.allOf(adds.toArray(new CompletableFuture[0])).join();
        return adds.stream().map(CompletableFuture::join).toList();
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

    private static Sink.Builder sink(Stream stream, String name) {
        return stream.sink(name).blockDuration(BLOCK).claimPeriod(CLAIM).ackGracePeriod(GRACE);
    }

    /** Pulls at least {@code count} events from {@code sink} and acknowledges them. */
    private static List<Event> readAndAck(Sink sink, int count) {
        List<Event> events = pullAtLeast(sink::read, count);
        sink.ack(events);
        return events;
    }

    private static List<PendingMessage> pending(Stream stream, String group) {
        return cli().xpending(key(stream), group, Range.create("-", "+"), Limit.from(100_000));
    }

    private static List<String> pendingIds(Stream stream, String group) {
        return pending(stream, group).stream().map(PendingMessage::getId).toList();
    }

    private static long pendingCount(Stream stream, String group) {
        return cli().xpending(key(stream), group).getCount();
    }

    /** Adds an entry with Pulse's fields and the given explicit id. */
    private static void addWithId(Stream stream, String id, String eventName) {
        cli().xadd(key(stream), new XAddArgs().id(id), Map.of("n", eventName, "p", eventName));
    }

    /** Four entries around {@link #T}: e0 at T, e1 and e2 at T+1 (seq 0 and 1), e3 at T+2. */
    private static Stream streamWithExplicitIds(String base) {
        Stream stream = newStream(base);
        addWithId(stream, T + "-0", "e0");
        addWithId(stream, (T + 1) + "-0", "e1");
        addWithId(stream, (T + 1) + "-1", "e2");
        addWithId(stream, (T + 2) + "-0", "e3");
        return stream;
    }

    private static List<String> names(Collection<Event> events) {
        return events.stream().map(Event::eventName).toList();
    }

    /** Records what a subscription delivers, then hands each event to {@code then}. */
    private static final class Inbox implements Consumer<Event> {
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

        long firstArrivalNanos() {
            return arrivals.get(0);
        }
    }

    record Line(String sku, int quantity) {
    }

    record Order(String id, List<Line> lines, boolean rush) {
    }

    record Invoice(String invoiceNumber, long totalCents) {
    }

    // ================================================================== fan-out and work queue

    @Test
    void twoReadersEachReceiveAll10000EventsInOrder() {
        Stream stream = unboundedStream("fan-out");
        Reader pushed = closeLater(stream.reader().blockDuration(BLOCK).open());
        Reader pulled = closeLater(stream.reader().blockDuration(BLOCK).open());
        Inbox inbox = new Inbox();
        closeLater(pushed.subscribe(inbox));

        List<String> added = addMany(stream, 10_000);
        Map<String, String> payloadOf = new HashMap<>();
        for (int i = 0; i < added.size(); i++) {
            payloadOf.put(added.get(i), Integer.toString(i));
        }
        List<String> inStreamOrder = added.stream().sorted(STREAM_ORDER).toList();

        List<Event> pulledEvents = pullAtLeast(pulled::read, 10_000);
        eventually().until(() -> inbox.size() >= 10_000);
        throughout(Duration.ofMillis(300)).until(() -> inbox.size() == 10_000);
        assertThat(pulled.read(BLOCK)).isEmpty();

        for (List<Event> got : List.of(pulledEvents, inbox.events())) {
            assertThat(ids(got)).containsExactlyElementsOf(inStreamOrder);
            assertThat(got).allSatisfy(e -> assertThat(text(e)).isEqualTo(payloadOf.get(e.id())));
        }
    }

    @Test
    void threeInstancesOfOneSinkShare10000EventsEachDeliveredToExactlyOne() {
        Stream stream = unboundedStream("work-queue");
        String name = RedisServerExtension.uniqueName("workers");
        List<Inbox> inboxes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            // a long grace period: nothing may be re-claimed while every instance is alive
            Sink instance = closeLater(stream.sink(name).blockDuration(BLOCK).bufferSize(100)
                    .ackGracePeriod(Duration.ofSeconds(60)).open());
            Inbox inbox = new Inbox(e -> instance.ackAsync(List.of(e)));
            inboxes.add(inbox);
            closeLater(instance.subscribe(inbox));
        }

        Set<String> added = new HashSet<>(addMany(stream, 10_000));
        Supplier<Integer> total = () -> inboxes.stream().mapToInt(Inbox::size).sum();
        eventually().until(() -> total.get() >= 10_000);
        throughout(Duration.ofMillis(500)).until(() -> total.get() == 10_000);

        List<String> all = new ArrayList<>();
        for (Inbox inbox : inboxes) {
            List<String> mine = ids(inbox.events());
            assertThat(mine).isSortedAccordingTo(STREAM_ORDER);
            all.addAll(mine);
        }
        assertThat(all).hasSize(10_000).doesNotHaveDuplicates();
        assertThat(new HashSet<>(all)).isEqualTo(added);
        eventually().until(() -> pendingCount(stream, name) == 0);
    }

    @Test
    void eventsReadButNotAckedByAClosedInstanceReachTheSurvivorAfterTheGracePeriod() {
        Stream stream = unboundedStream("at-least-once");
        String name = RedisServerExtension.uniqueName("sink");
        Sink doomed = closeLater(sink(stream, name).open());
        Sink survivor = closeLater(sink(stream, name).open());
        List<String> added = addMany(stream, 5);

        long readStart = System.nanoTime();
        List<Event> batch = pullAtLeast(doomed::read, 5);
        assertThat(ids(batch)).containsExactlyElementsOf(added);
        assertThat(pending(stream, name)).extracting(PendingMessage::getConsumer).containsOnly(doomed.consumer());
        doomed.close();

        Inbox inbox = new Inbox(survivor::ack);
        closeLater(survivor.subscribe(inbox));
        eventually().until(() -> inbox.size() >= 5);
        throughout(GRACE.multipliedBy(3)).until(() -> inbox.size() == 5);
        assertThat(ids(inbox.events())).containsExactlyElementsOf(ids(batch));
        assertThat(payloads(inbox.events())).containsExactlyElementsOf(payloads(batch));
        assertThat(inbox.events()).allSatisfy(e -> assertThat(e.sinkName()).isEqualTo(name));
        // re-claimed only once the events had been idle for the grace period
        assertThat(TimeUnit.NANOSECONDS.toMillis(inbox.firstArrivalNanos() - readStart))
                .isGreaterThanOrEqualTo(GRACE.toMillis() - 20);
        assertThat(pendingCount(stream, name)).isZero();
    }

    // ================================================================== topic filters

    /** Adds events with topics a, ab, b, none, xa, a; returns their ids in that order. */
    private static List<String> addTopics(Stream stream) {
        List<String> ids = new ArrayList<>();
        ids.add(stream.add("t-a", utf8("1"), AddOptions.topic("a")));
        ids.add(stream.add("t-ab", utf8("2"), AddOptions.topic("ab")));
        ids.add(stream.add("t-b", utf8("3"), AddOptions.topic("b")));
        ids.add(stream.add("t-none", utf8("4")));
        ids.add(stream.add("t-xa", utf8("5"), AddOptions.topic("xa")));
        ids.add(stream.add("t-a2", utf8("6"), AddOptions.topic("a")));
        return ids;
    }

    @Test
    void readerTopicAndTopicPatternKeepOnlyMatchingEvents() {
        Stream stream = newStream("reader-topics");
        addTopics(stream);
        Reader exact = closeLater(stream.reader().startAtOldest().topic("a").blockDuration(BLOCK).open());
        Reader anchored = closeLater(stream.reader().startAtOldest().topicPattern("^a").blockDuration(BLOCK).open());
        Reader found = closeLater(stream.reader().startAtOldest().topicPattern("a").blockDuration(BLOCK).open());
        Reader exactWins = closeLater(stream.reader().startAtOldest().topicPattern("a").topic("b").blockDuration(BLOCK).open());
        Reader noTopic = closeLater(stream.reader().startAtOldest().topicPattern("^$").blockDuration(BLOCK).open());

        assertThat(names(pullAtLeast(exact::read, 2))).containsExactly("t-a", "t-a2");
        assertThat(names(pullAtLeast(anchored::read, 3))).containsExactly("t-a", "t-ab", "t-a2");
        assertThat(names(pullAtLeast(found::read, 4))).containsExactly("t-a", "t-ab", "t-xa", "t-a2");
        assertThat(names(pullAtLeast(exactWins::read, 1))).containsExactly("t-b");
        assertThat(names(pullAtLeast(noTopic::read, 1))).containsExactly("t-none");
        for (Reader r : List.of(exact, anchored, found, exactWins, noTopic)) {
            assertThat(r.read(BLOCK)).isEmpty();
        }

        // push subscriptions apply the same filter
        Inbox inbox = new Inbox();
        closeLater(exact.subscribe(inbox));
        eventually().until(() -> inbox.size() >= 2);
        stream.add("late-b", utf8("7"), AddOptions.topic("b"));
        stream.add("late-a", utf8("8"), AddOptions.topic("a"));
        eventually().until(() -> inbox.size() >= 3);
        throughout(Duration.ofMillis(300)).until(() -> inbox.size() == 3);
        assertThat(names(inbox.events())).containsExactly("t-a", "t-a2", "late-a");
        assertThat(inbox.events()).allSatisfy(e -> assertThat(e.topic()).isEqualTo("a"));
    }

    @Test
    void sinkTopicAndTopicPatternKeepOnlyMatchingEventsAndAckTheOthers() {
        Stream stream = newStream("sink-topics");
        List<String> ids = addTopics(stream);
        String exactName = RedisServerExtension.uniqueName("exact");
        String patternName = RedisServerExtension.uniqueName("pattern");
        Sink exact = closeLater(sink(stream, exactName).startAtOldest().topic("a").open());
        Sink pattern = closeLater(sink(stream, patternName).startAtOldest().topicPattern("^a").open());
        Inbox exactInbox = new Inbox();
        Inbox patternInbox = new Inbox();
        closeLater(exact.subscribe(exactInbox));
        closeLater(pattern.subscribe(patternInbox));

        eventually().until(() -> exactInbox.size() >= 2 && patternInbox.size() >= 3);
        throughout(Duration.ofMillis(300)).until(() -> exactInbox.size() == 2 && patternInbox.size() == 3);
        assertThat(names(exactInbox.events())).containsExactly("t-a", "t-a2");
        assertThat(names(patternInbox.events())).containsExactly("t-a", "t-ab", "t-a2");

        // the dropped events are acknowledged; only the delivered ones wait for their ack
        eventually().until(() -> pendingIds(stream, exactName).equals(List.of(ids.get(0), ids.get(5))));
        eventually().until(() -> pendingIds(stream, patternName).equals(List.of(ids.get(0), ids.get(1), ids.get(5))));
        exact.ack(exactInbox.events());
        pattern.ack(patternInbox.events());
        assertThat(pendingCount(stream, exactName)).isZero();
        assertThat(pendingCount(stream, patternName)).isZero();
    }

    // ================================================================== start positions

    @Test
    void readerStartPositionsNewestOldestAfterAndAtAnInclusiveInstant() {
        Stream stream = streamWithExplicitIds("reader-start");
        Reader oldest = closeLater(stream.reader().startAtOldest().blockDuration(BLOCK).open());
        Reader after = closeLater(stream.reader().startAfter((T + 1) + "-0").blockDuration(BLOCK).open());
        Reader at = closeLater(stream.reader().startAt(Instant.ofEpochMilli(T + 1)).blockDuration(BLOCK).open());
        Reader atMillisOfE3 = closeLater(stream.reader().startAt(Instant.ofEpochMilli(T + 2)).blockDuration(BLOCK).open());
        Reader newest = closeLater(stream.reader().startAtNewest().blockDuration(BLOCK).open());
        Reader byDefault = closeLater(stream.reader().blockDuration(BLOCK).open());
        // added after open() but before the first read: newest was resolved at open(), so it is read
        String fresh = stream.add("fresh", utf8("f"));

        assertThat(names(pullAtLeast(oldest::read, 5))).containsExactly("e0", "e1", "e2", "e3", "fresh");
        assertThat(names(pullAtLeast(after::read, 3))).containsExactly("e2", "e3", "fresh");
        assertThat(names(pullAtLeast(at::read, 4))).containsExactly("e1", "e2", "e3", "fresh");
        assertThat(names(pullAtLeast(atMillisOfE3::read, 2))).containsExactly("e3", "fresh");
        assertThat(ids(pullAtLeast(newest::read, 1))).containsExactly(fresh);
        assertThat(ids(pullAtLeast(byDefault::read, 1))).containsExactly(fresh);
        for (Reader r : List.of(oldest, after, at, atMillisOfE3, newest, byDefault)) {
            assertThat(r.read(BLOCK)).isEmpty();
        }
    }

    @Test
    void sinkStartPositionsNewestOldestAfterAndAtAnInclusiveInstant() {
        Stream stream = streamWithExplicitIds("sink-start");
        Sink oldest = closeLater(sink(stream, RedisServerExtension.uniqueName("oldest")).startAtOldest().open());
        Sink after = closeLater(sink(stream, RedisServerExtension.uniqueName("after")).startAfter((T + 1) + "-0").open());
        Sink at = closeLater(sink(stream, RedisServerExtension.uniqueName("at")).startAt(Instant.ofEpochMilli(T + 1)).open());
        String newestName = RedisServerExtension.uniqueName("newest");
        Sink newest = closeLater(sink(stream, newestName).startAtNewest().open());
        Sink byDefault = closeLater(sink(stream, RedisServerExtension.uniqueName("default")).open());
        String fresh = stream.add("fresh", utf8("f"));

        assertThat(names(readAndAck(oldest, 5))).containsExactly("e0", "e1", "e2", "e3", "fresh");
        assertThat(names(readAndAck(after, 3))).containsExactly("e2", "e3", "fresh");
        assertThat(names(readAndAck(at, 4))).containsExactly("e1", "e2", "e3", "fresh");
        assertThat(ids(readAndAck(newest, 1))).containsExactly(fresh);
        assertThat(ids(readAndAck(byDefault, 1))).containsExactly(fresh);
        for (Sink s : List.of(oldest, after, at, newest, byDefault)) {
            assertThat(s.read(BLOCK)).isEmpty();
        }

        // the start position only matters to the instance that creates the group
        Sink late = closeLater(sink(stream, newestName).startAtOldest().open());
        assertThat(late.read(BLOCK)).isEmpty();
    }

    // ================================================================== trimming

    @Test
    void maxLenTrimsTheStreamToAboutMaxLenKeepingTheNewestEvents() {
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("trim"), redis).maxLen(100).open();
        assertThat(stream.maxLen()).isEqualTo(100);
        addMany(stream, 1_000);
        eventually().until(() -> cli().xlen(key(stream)) <= 200);
        assertThat(cli().xlen(key(stream))).isGreaterThanOrEqualTo(100);
        List<StreamMessage<String, String>> newest = cli().xrevrange(key(stream), Range.create("-", "+"), Limit.from(1));
        assertThat(newest.get(0).getBody()).containsEntry("p", "999");
        List<StreamMessage<String, String>> oldest = cli().xrange(key(stream), Range.create("-", "+"), Limit.from(1));
        assertThat(Integer.parseInt(oldest.get(0).getBody().get("p"))).isGreaterThanOrEqualTo(800);
    }

    @Test
    void trimmingKeepsEventsPendingInASinkGroupUntilTheyAreAcked() {
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("trim-pending"), redis).maxLen(100).open();
        Stream control = Stream.builder(RedisServerExtension.uniqueName("trim-control"), redis).maxLen(100).open();
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(stream, name).ackGracePeriod(Duration.ofSeconds(60)).open());
        List<String> early = addMany(stream, 50);
        List<Event> unacked = pullAtLeast(sink::read, 50);
        assertThat(ids(unacked)).containsExactlyElementsOf(early);

        addMany(stream, 1_000);
        addMany(control, 1_050);
        // the same adds trim a stream without pending events...
        eventually().until(() -> cli().xlen(key(control)) <= 200);
        // ...but never remove an event a sink read and did not ack yet
        throughout(Duration.ofMillis(500)).until(() -> cli().xrange(key(stream),
                Range.create(early.get(0), early.get(49))).size() == 50);
        assertThat(pendingIds(stream, name)).containsExactlyElementsOf(early);

        sink.ack(unacked);
        addMany(stream, 20);
        eventually().until(() -> cli().xlen(key(stream)) <= 200);
        assertThat(cli().xrange(key(stream), Range.create(early.get(0), early.get(49)))).isEmpty();
    }

    // ================================================================== destroy under a blocked read

    /** Waits until a connection is blocked in XREAD on the server. */
    private static void awaitBlockedXread() {
        eventually().until(() -> cli().clientList().lines().anyMatch(l -> l.contains("cmd=xread ")
                || l.endsWith("cmd=xread") || l.contains("cmd=xread\t")));
    }

    @Test
    void destroyWhileAReaderBlocksInReadEndsTheReadEmptyAtItsTimeout() {
        Stream stream = newStream("destroy-blocked");
        stream.add("e", utf8("before"));
        Reader reader = closeLater(stream.reader().blockDuration(BLOCK).open());
        CompletableFuture<List<Event>> read = CompletableFuture.supplyAsync(() -> reader.read(Duration.ofSeconds(2)),
                background);
        awaitBlockedXread();

        stream.destroy();

        // Stream.destroy() promises that a read blocked on the stream returns at its timeout, empty
        assertThat(read).as("read(2 s) blocked on the destroyed stream")
                .succeedsWithin(Duration.ofSeconds(15)).satisfies(events -> assertThat(events).isEmpty());
        // and the reader goes on when the stream is created again
        String id = stream.add("e", utf8("after"));
        List<Event> again = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            again.addAll(reader.read(BLOCK));
            return !again.isEmpty();
        });
        assertThat(again).extracting(Event::id).containsExactly(id);
        reader.close();
        assertThat(reader.isClosed()).isTrue();
    }

    @Test
    void aReaderBlockedOnADestroyedStreamClosesCleanly() throws Exception {
        Stream stream = newStream("destroy-close");
        stream.add("e", utf8("before"));
        Reader reader = stream.reader().blockDuration(BLOCK).open();
        CompletableFuture<List<Event>> read = CompletableFuture.supplyAsync(() -> reader.read(Duration.ofSeconds(15)),
                background);
        awaitBlockedXread();
        stream.destroy();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(reader::close, background);
        closing.get(5, TimeUnit.SECONDS);
        assertThat(read.get(5, TimeUnit.SECONDS)).isEmpty();
        assertThat(reader.isClosed()).isTrue();
        assertThatThrownBy(reader::read).isInstanceOf(ClosedException.class);
    }

    @Test
    void aReaderGoesOnReadingAStreamRecreatedAfterDestroy() {
        Stream stream = newStream("destroy-recreate");
        stream.add("e", utf8("before"));
        Reader reader = closeLater(stream.reader().blockDuration(BLOCK).open());
        assertThat(reader.read(BLOCK)).isEmpty();
        stream.destroy();
        String after = stream.add("e", utf8("after"));
        assertThat(ids(pullAtLeast(reader::read, 1))).containsExactly(after);
    }

    // ================================================================== typed payloads

    @Test
    void aRecordPayloadRoundTripsAsJson() {
        Stream stream = newStream("typed");
        Order order = new Order("o-1", List.of(new Line("apple", 3), new Line("pear", 1)), true);
        Reader reader = closeLater(stream.reader().blockDuration(BLOCK).open());
        Sink sink = closeLater(sink(stream, RedisServerExtension.uniqueName("sink")).open());
        String id = stream.add("order", order);

        String raw = cli().xrange(key(stream), Range.create(id, id)).get(0).getBody().get("p");
        assertThat(raw).startsWith("{").contains("\"sku\":\"apple\"").contains("\"rush\":true");
        assertThat(JsonCodec.DEFAULT.decode(utf8(raw), Order.class)).isEqualTo(order);

        Event fromReader = pullAtLeast(reader::read, 1).get(0);
        assertThat(fromReader.payloadAs(Order.class)).isEqualTo(order);
        Event fromSink = pullAtLeast(sink::read, 1).get(0);
        assertThat(fromSink.payloadAs(Order.class)).isEqualTo(order);
        sink.ack(fromSink);

        assertThatThrownBy(() -> fromReader.payloadAs(Line.class)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonCodec.DEFAULT.decode(utf8("not json"), Order.class))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStreamWithACustomCodecEncodesWithIt() {
        JsonCodec snakeCase = JsonCodec.with(new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("codec"), redis).codec(snakeCase).open();
        Invoice invoice = new Invoice("INV-7", 12_345);
        String id = stream.add("invoice", invoice);
        String raw = cli().xrange(key(stream), Range.create(id, id)).get(0).getBody().get("p");
        assertThat(raw).contains("\"invoice_number\":\"INV-7\"").contains("\"total_cents\":12345");
        Reader reader = closeLater(stream.reader().startAtOldest().blockDuration(BLOCK).open());
        assertThat(snakeCase.decode(pullAtLeast(reader::read, 1).get(0).payload(), Invoice.class)).isEqualTo(invoice);
    }

    // ================================================================== bad input

    @Test
    void invalidStreamNamesAreRejected() {
        for (String bad : List.of("a b", "x*", "", "what?", "[x]")) {
            assertThatThrownBy(() -> Stream.open(bad, redis)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stream");
        }
        assertThatThrownBy(() -> Stream.open(null, redis)).isInstanceOf(NullPointerException.class);
        assertThat(cli().keys("pulse:stream:a b")).isEmpty();
    }

    @Test
    void invalidSinkNamesAreRejected() {
        Stream stream = newStream("bad-sink");
        for (String bad : List.of("a b", "x*", "", "s?")) {
            assertThatThrownBy(() -> stream.sink(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sink");
        }
        assertThatThrownBy(() -> stream.sink(null)).isInstanceOf(NullPointerException.class);
        assertThat(cli().exists(key(stream))).isZero();
    }

    @Test
    void nullPayloadOrEventNameIsRejectedAndNothingIsAdded() {
        Stream stream = newStream("null-payload");
        assertThatThrownBy(() -> stream.add("e", (byte[]) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> stream.add("e", (Object) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> stream.add(null, utf8("p"))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> stream.add("e", utf8("p"), (AddOptions) null)).isInstanceOf(NullPointerException.class);
        assertThat(cli().exists(key(stream))).isZero();
    }

    @Test
    void anInvalidTopicPatternIsRejectedByTheTopicPatternCall() {
        Stream stream = newStream("bad-pattern");
        assertThatThrownBy(() -> stream.reader().topicPattern("("))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("topic pattern must be a valid regex: ")
                .hasCauseInstanceOf(PatternSyntaxException.class);
        assertThatThrownBy(() -> stream.sink("s").topicPattern("("))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("topic pattern must be a valid regex: ")
                .hasCauseInstanceOf(PatternSyntaxException.class);
    }

    @Test
    void nonPositiveDurationsAreRejected() {
        Stream stream = newStream("bad-durations");
        for (Duration bad : List.of(Duration.ZERO, Duration.ofMillis(-1))) {
            assertThatThrownBy(() -> stream.reader().blockDuration(bad)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> stream.sink("s").blockDuration(bad)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> stream.sink("s").ackGracePeriod(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        Reader reader = closeLater(stream.reader().blockDuration(BLOCK).open());
        Sink sink = closeLater(sink(stream, RedisServerExtension.uniqueName("s")).open());
        assertThatThrownBy(() -> reader.read(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sink.read(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void invalidStartAfterIdsAreRejected() {
        Stream stream = newStream("bad-ids");
        Stream other = newStream("bad-ids-other");
        for (String bad : List.of("foo", "1-x", "", "-1", "1-2-3")) {
            assertThatThrownBy(() -> stream.reader().startAfter(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> stream.sink("s").startAfter(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        Reader reader = closeLater(stream.reader().blockDuration(BLOCK).open());
        Sink sink = closeLater(sink(stream, RedisServerExtension.uniqueName("s")).open());
        assertThatThrownBy(() -> reader.addStream(other, "foo")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sink.addStream(other, "foo")).isInstanceOf(IllegalArgumentException.class);
        assertThat(reader.streamNames()).containsExactly(stream.name());
        assertThat(sink.streamNames()).containsExactly(stream.name());
        assertThat(cli().exists(key(other))).isZero();
    }

    // ================================================================== foreign entries

    @Test
    void entriesWithoutPulseFieldsAreSkippedByReadersAndSinksAndAckedBySinks() {
        Stream stream = newStream("foreign");
        String name = RedisServerExtension.uniqueName("sink");
        Reader reader = closeLater(stream.reader().blockDuration(BLOCK).open());
        Sink sink = closeLater(sink(stream, name).open());
        Reader pushedReader = closeLater(stream.reader().blockDuration(BLOCK).open());
        Inbox pushed = new Inbox();
        closeLater(pushedReader.subscribe(pushed));

        String valid1 = stream.add("valid", utf8("1"));
        String foreign1 = cli().xadd(key(stream), Map.of("foo", "bar"));
        String foreign2 = cli().xadd(key(stream), Map.of("n", "name-without-payload"));
        String valid2 = stream.add("valid", utf8("2"));

        assertThat(ids(pullAtLeast(reader::read, 2))).containsExactly(valid1, valid2);
        assertThat(reader.read(BLOCK)).isEmpty();
        eventually().until(() -> pushed.size() >= 2);
        throughout(Duration.ofMillis(300)).until(() -> pushed.size() == 2);
        assertThat(ids(pushed.events())).containsExactly(valid1, valid2);

        List<Event> fromSink = pullAtLeast(sink::read, 2);
        assertThat(ids(fromSink)).containsExactly(valid1, valid2);
        // the foreign entries were acknowledged by the sink; the valid ones wait for their ack
        eventually().until(() -> pendingIds(stream, name).equals(List.of(valid1, valid2)));
        assertThat(pendingIds(stream, name)).doesNotContain(foreign1, foreign2);
        sink.ack(fromSink);
        assertThat(pendingCount(stream, name)).isZero();
        // and reading goes on after them
        String valid3 = stream.add("valid", utf8("3"));
        assertThat(ids(pullAtLeast(sink::read, 1))).containsExactly(valid3);
        assertThat(ids(pullAtLeast(reader::read, 1))).containsExactly(valid3);
    }
}
