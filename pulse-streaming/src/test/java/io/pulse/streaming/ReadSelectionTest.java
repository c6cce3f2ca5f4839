package io.pulse.streaming;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What readers and sinks select: topics and topic patterns, and start positions (newest, oldest, after
 * an id, at an instant).
 */
@Timeout(60)
class ReadSelectionTest extends StreamTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    /** A longer grace than the other streaming classes use: these tests hold events across it. */
    static final Duration GRACE = Duration.ofMillis(500);

    @Override
    Duration ackGrace() {
        return GRACE;
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
        // the test holds its deliveries unacked to look at what is pending: a grace period far beyond the
        // test keeps a redelivery from adding to the inboxes while it counts them on a slow machine
        Duration holdUnacked = Duration.ofSeconds(60);
        Sink exact = closeLater(sink(stream, exactName).ackGracePeriod(holdUnacked).startAtOldest().topic("a").open());
        Sink pattern = closeLater(sink(stream, patternName).ackGracePeriod(holdUnacked).startAtOldest()
                .topicPattern("^a").open());
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
}
