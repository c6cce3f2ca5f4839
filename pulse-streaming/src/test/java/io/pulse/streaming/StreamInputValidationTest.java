package io.pulse.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input to streams, readers and sinks fails at the call, naming what is wrong, before any Redis
 * I/O: the handles are made on a facade that is already closed, so any I/O would fail with
 * ClosedException instead.
 */
class StreamInputValidationTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static Stream streamOnClosedFacade() {
        PulseRedis redis = REDIS.newPulseRedis();
        redis.close();
        return Stream.open("validation", redis);
    }

    @Test
    void startTimesAStreamIdCannotHoldAreRejected() {
        Stream stream = streamOnClosedFacade();
        assertThatThrownBy(() -> stream.reader().startAt(Instant.MIN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("startAt");
        assertThatThrownBy(() -> stream.reader().startAt(Instant.EPOCH.minusMillis(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("startAtOldest");
        assertThatThrownBy(() -> stream.sink("s").startAt(Instant.MAX)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("startAt");
        assertThat(StartPosition.at(Instant.EPOCH).id).isEqualTo("0-0");
    }

    @Test
    void removeRejectsNullIdsWithNullPointerExceptionAndDoesNothingWithoutIds() {
        Stream stream = streamOnClosedFacade();
        assertThatThrownBy(() -> stream.remove((String) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("ids[0]");
        assertThatThrownBy(() -> stream.remove("1-0", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("ids[1]");
        assertThatThrownBy(() -> stream.remove((String[]) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> stream.remove("not-an-id")).isInstanceOf(IllegalArgumentException.class);
        assertThat(stream.remove()).isZero();
    }

    @Test
    void eventNamesAndTopicsWithLoneSurrogatesAreRejected() {
        Stream stream = streamOnClosedFacade();
        assertThatThrownBy(() -> stream.add("bad\uDC00", new byte[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("eventName");
        assertThatThrownBy(() -> AddOptions.topic("bad\uD800")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic");
        assertThatThrownBy(() -> stream.add(null, new byte[0])).isInstanceOf(NullPointerException.class);
    }

    @Test
    void streamTtlsBelowOneMillisecondOrBeyondAHundredYearsAreRejected() {
        PulseRedis redis = REDIS.newPulseRedis();
        redis.close();
        assertThatThrownBy(() -> Stream.builder("s", redis).ttl(Duration.ofNanos(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> Stream.builder("s", redis).slidingTtl(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> Stream.builder("tab\tname", redis)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Stream.open("s", redis).sink("new\nline")).isInstanceOf(IllegalArgumentException.class);
    }
}
