package io.pulse.streaming;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pulse.testing.RedisServerExtension;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Adding streams to and removing them from readers and sinks: idempotent adds, start ids, reading
 * stopping with removal, and a subscription left without streams waiting instead of spinning.
 */
@Timeout(60)
class StreamMembershipTest extends StreamTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
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
}
