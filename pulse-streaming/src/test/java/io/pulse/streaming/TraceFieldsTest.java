package io.pulse.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseRedis;
import io.pulse.core.TracePropagation;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The trace-context fields of stream entries, with a propagation that is not a tracing library: read
 * from entries written by hand (as another Java node writes them), absent from Go's, handed to the
 * propagation around push handlers, and never in place of Pulse's own fields.
 */
class TraceFieldsTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    /** Carries a fixed context and records what each handler ran within. */
    static final class Fixed implements TracePropagation {
        final List<Map<String, String>> consumed = new CopyOnWriteArrayList<>();

        @Override
        public Map<String, String> capture() {
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
            fields.put("n", "must not replace the event name");
            return fields;
        }

        @Override
        public void consume(Map<String, String> carried, String stream, String consumer, Runnable handler) {
            consumed.add(carried);
            handler.run();
        }
    }

    @Test
    void anEntryWithExtraFieldsIsReadAndTheyBecomeItsTraceContext() {
        PulseRedis redis = REDIS.newPulseRedis();
        String name = RedisServerExtension.uniqueName("extra");
        String key = redis.layout().streamKey(name);
        Map<String, String> body = new LinkedHashMap<>();
        body.put("n", "created");
        body.put("p", "{}");
        body.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        REDIS.cli().xadd(key, body);
        REDIS.cli().xadd(key, Map.of("n", "from-go", "p", "{}"));
        Reader reader = Stream.open(name, redis).reader().startAtOldest().open();
        List<Event> events = await().atMost(Duration.ofSeconds(10)).until(reader::read, l -> l.size() == 2);
        assertThat(events.get(0).eventName()).isEqualTo("created");
        assertThat(events.get(0).traceContext())
                .containsExactly(Map.entry("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        assertThat(events.get(1).traceContext()).isEmpty();
        reader.close();
    }

    @Test
    void theConfiguredPropagationCarriesItsFieldsAfterPulsesAndWrapsPushHandlers() {
        Fixed tracing = new Fixed();
        PulseRedis redis = REDIS.track(PulseRedis.builder(REDIS.uri()).tracePropagation(tracing).connect());
        String name = RedisServerExtension.uniqueName("carried");
        Stream stream = Stream.open(name, redis);
        Sink sink = stream.sink("s").startAtOldest().blockDuration(Duration.ofMillis(100)).open();
        List<Event> seen = new CopyOnWriteArrayList<>();
        sink.subscribe(seen::add);
        stream.add("created", "{}".getBytes());
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1);
        assertThat(seen.get(0).eventName()).isEqualTo("created");
        assertThat(tracing.consumed).containsExactly(
                Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        Map<String, String> raw = REDIS.cli().xrange(redis.layout().streamKey(name), io.lettuce.core.Range.create("-", "+"))
                .get(0).getBody();
        assertThat(List.copyOf(raw.keySet())).containsExactly("n", "p", "traceparent");
        sink.close();
    }

    @Test
    void anExplicitContextReplacesTheCurrentOneAndIsCheckedAtTheCall() {
        Fixed tracing = new Fixed();
        PulseRedis redis = REDIS.track(PulseRedis.builder(REDIS.uri()).tracePropagation(tracing).connect());
        String name = RedisServerExtension.uniqueName("explicit");
        Stream.open(name, redis).add("e", "{}".getBytes(), AddOptions.traceContext(Map.of("baggage", "k=v")));
        Map<String, String> raw = REDIS.cli().xrange(redis.layout().streamKey(name), io.lettuce.core.Range.create("-", "+"))
                .get(0).getBody();
        assertThat(raw).containsEntry("baggage", "k=v").doesNotContainKey("traceparent");
        Map<String, String> withNull = new HashMap<>();
        withNull.put("traceparent", null);
        assertThatThrownBy(() -> AddOptions.traceContext(withNull)).isInstanceOf(NullPointerException.class);
    }
}
