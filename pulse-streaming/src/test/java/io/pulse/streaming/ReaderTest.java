package io.pulse.streaming;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.XAddArgs;
import io.pulse.core.ClosedException;
import io.pulse.testing.RedisServerExtension;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A reader's life: opening and closing, start ids, event times, and what a closed reader refuses. */
@Timeout(60)
class ReaderTest extends StreamTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
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
}
