package io.pulse.rmap;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Map TTLs: an absolute TTL armed once (and afresh after a reset), a sliding TTL refreshed by every
 * write attempt.
 */
@Timeout(120)
class MapTtlTest extends MapTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    @Test
    void absoluteTtlIsNotExtendedByLaterWrites() {
        ReplicatedMap map = REDIS.track(ReplicatedMap.builder(RedisServerExtension.uniqueName("ttl-abs"), redis)
                .ttl(Duration.ofSeconds(10)).join());
        map.reset();
        map.set("first", "1");
        long armed = pttl(map);
        assertThat(armed).isPositive().isLessThanOrEqualTo(10_000);
        eventually().until(() -> pttl(map) < armed - 250);

        long before = pttl(map);
        map.set("second", "2");
        long after = pttl(map);

        assertThat(before).isPositive();
        assertThat(after).isPositive().isLessThanOrEqualTo(before);
    }

    @Test
    void absoluteTtlIsArmedOnFirstWriteAndArmedAfreshAfterReset() {
        ReplicatedMap map = REDIS.track(ReplicatedMap.builder(RedisServerExtension.uniqueName("ttl-rearm"), redis)
                .ttl(Duration.ofSeconds(10)).join());
        assertThat(REDIS.cli().exists(contentKey(map))).isZero();
        map.set("first", "1");
        long armed = pttl(map);
        assertThat(armed).isPositive().isLessThanOrEqualTo(10_000);
        eventually().until(() -> pttl(map) < armed - 250);

        long before = pttl(map);
        map.reset();
        long after = pttl(map);

        assertThat(after).isPositive().isGreaterThan(before).isLessThanOrEqualTo(10_000);
    }

    @Test
    void slidingTtlIsRefreshedByEveryWrite() {
        ReplicatedMap map = REDIS.track(ReplicatedMap.builder(RedisServerExtension.uniqueName("ttl-sliding"), redis)
                .slidingTtl(Duration.ofSeconds(10)).join());
        map.reset();
        map.set("first", "1");
        long armed = pttl(map);
        assertThat(armed).isPositive().isLessThanOrEqualTo(10_000);
        eventually().until(() -> pttl(map) < armed - 250);

        long before = pttl(map);
        map.set("second", "2");
        long after = pttl(map);

        assertThat(before).isPositive();
        assertThat(after).isGreaterThan(before).isLessThanOrEqualTo(10_000);
    }

    @Test
    void slidingTtlIsRefreshedByWriteAttemptsThatChangeNothing() {
        ReplicatedMap map = REDIS.track(ReplicatedMap.builder(RedisServerExtension.uniqueName("ttl-attempts"), redis)
                .slidingTtl(Duration.ofSeconds(10)).join());
        map.set("k", "v");
        map.appendValues("list", "a");
        long revision = storedRevision(map);

        Map<String, Runnable> attempts = new LinkedHashMap<>();
        attempts.put("testAndSet with a wrong expected value", () -> map.testAndSet("k", "wrong", "x"));
        attempts.put("delete of an absent key", () -> map.delete("absent"));
        attempts.put("testAndDelete with a wrong expected value", () -> map.testAndDelete("k", "wrong"));
        attempts.put("setIfAbsent on a present key", () -> map.setIfAbsent("k", "x"));
        attempts.put("appendUniqueValues of items already there", () -> map.appendUniqueValues("list", "a"));
        attempts.put("removeValues of items not there", () -> map.removeValues("list", "zzz"));
        attempts.put("testAndReset with a wrong expected value", () -> map.testAndReset(Map.of("k", "wrong")));

        SoftAssertions softly = new SoftAssertions();
        for (Map.Entry<String, Runnable> attempt : attempts.entrySet()) {
            long start = pttl(map);
            eventually().until(() -> pttl(map) < start - 250);
            long before = pttl(map);
            attempt.getValue().run();
            long after = pttl(map);
            softly.assertThat(after).as("PTTL after %s (was %d ms just before)", attempt.getKey(), before)
                    .isGreaterThan(before);
            if (after <= before) {
                // re-arm for the next attempt so that one failure does not hide the others
                map.set("k", "v");
                revision = storedRevision(map);
            }
        }
        softly.assertThat(storedRevision(map)).as("none of the attempts changed the map").isEqualTo(revision);
        softly.assertAll();
    }
}
