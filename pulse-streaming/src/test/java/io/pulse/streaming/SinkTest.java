package io.pulse.streaming;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulse.core.ClosedException;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A sink's life: its group and consumer, acks, start ids, instances sharing events, no-ack mode, a
 * destroyed stream.
 */
@Timeout(60)
class SinkTest extends StreamTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
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
