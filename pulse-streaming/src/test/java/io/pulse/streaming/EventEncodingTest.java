package io.pulse.streaming;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.lettuce.core.Range;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Event payloads: JSON records and custom codecs round-trip, and entries without Pulse's fields are
 * skipped.
 */
@Timeout(60)
class EventEncodingTest extends StreamTestSupport {

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
