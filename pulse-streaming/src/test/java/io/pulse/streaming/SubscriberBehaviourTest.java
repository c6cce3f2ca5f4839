package io.pulse.streaming;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulse.core.ClosedException;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Subscribers: several on one reader or sink instance, one that throws, one that closes its own reader
 * or sink.
 */
@Timeout(60)
class SubscriberBehaviourTest extends StreamTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
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
}
