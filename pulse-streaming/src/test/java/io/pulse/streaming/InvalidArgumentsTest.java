package io.pulse.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bad names, payloads, patterns, durations and start ids: rejected at the call, before any Redis I/O. */
@Timeout(60)
class InvalidArgumentsTest extends StreamTestSupport {

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
}
