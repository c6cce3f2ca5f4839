package io.pulse.rmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulse.core.GoPulseLayout;
import io.pulse.core.PulseRedis;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input to maps fails at the call, naming what is wrong, before any Redis I/O: options are checked
 * against a facade that is already closed (any I/O would fail with ClosedException instead), and bad
 * keys and values leave the hash untouched.
 */
class MapInputValidationTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static PulseRedis closedFacade() {
        PulseRedis redis = REDIS.newPulseRedis();
        redis.close();
        return redis;
    }

    @Test
    void ttlsBelowOneMillisecondOrBeyondAHundredYearsAreRejected() {
        PulseRedis closed = closedFacade();
        assertThatThrownBy(() -> ReplicatedMap.builder("m", closed).ttl(Duration.ofNanos(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> ReplicatedMap.builder("m", closed).slidingTtl(Duration.ofNanos(999_999)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> ReplicatedMap.builder("m", closed).ttl(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> ReplicatedMap.builder("m", closed).ttl(Duration.ofDays(36_501)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
    }

    @Test
    void mapNamesWithControlCharactersOrLoneSurrogatesAreRejected() {
        PulseRedis closed = closedFacade();
        for (String bad : List.of("tab\tname", "new\nline", "bell\u0007", "lone\uD800")) {
            assertThatThrownBy(() -> ReplicatedMap.join(bad, closed)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("map name");
        }
    }

    @Test
    void mapNamesShapedLikePulsesOwnStateAreRejected() {
        PulseRedis closed = closedFacade();
        for (String reserved : List.of("stream:orders:sinks", "sink:audit:keepalive", "email-pool:workers",
                "email-pool:jobs", "p:worker-keepalive", "p:node-keepalive", "p:pending-jobs", "p:job-payloads",
                "p:cleanup", "p:shutdown", "p:tickers")) {
            assertThatThrownBy(() -> ReplicatedMap.join(reserved, closed)).as(reserved)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("choose another name");
        }
        // names that merely contain those words are the user's
        assertThat(new GoPulseLayout().isReservedMapName("workers")).isFalse();
        assertThat(new GoPulseLayout().isReservedMapName("jobs-of-today")).isFalse();
        assertThat(new GoPulseLayout().isReservedMapName("stream:orders")).isFalse();
        assertThat(new GoPulseLayout().isReservedMapName(":workers")).isFalse();
    }

    @Test
    void keysAndValuesWithLoneSurrogatesAreRejectedAndNothingIsWritten() {
        String name = RedisServerExtension.uniqueName("surrogates");
        ReplicatedMap map = ReplicatedMap.join(name, REDIS.newPulseRedis());
        String lone = "bad\uD83D";
        assertThatThrownBy(() -> map.set(lone, "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key").hasMessageContaining("surrogate");
        assertThatThrownBy(() -> map.set("k", lone)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("surrogate");
        assertThatThrownBy(() -> map.appendValues("k", "ok", lone)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> map.testAndSet("k", lone, "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> map.testAndReset(Map.of("k", lone))).isInstanceOf(IllegalArgumentException.class);
        assertThat(REDIS.cli().exists(GoKeys.content(name))).isZero();
        // a well-formed pair is fine
        map.set("emoji-\uD83D\uDE00", "\uD83D\uDE00");
        assertThat(REDIS.cli().hget(GoKeys.content(name), "emoji-\uD83D\uDE00")).isEqualTo("\uD83D\uDE00");
        map.close();
    }
}
