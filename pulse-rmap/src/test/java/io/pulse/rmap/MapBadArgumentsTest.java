package io.pulse.rmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bad names, TTLs, keys and nulls: rejected at the call, before any Redis I/O. */
@Timeout(120)
class MapBadArgumentsTest extends MapTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    @Test
    void joinRejectsInvalidNamesAndNullRedisBeforeTouchingRedis() {
        long calls = mapCommandCalls();
        assertThatThrownBy(() -> ReplicatedMap.join("invalid*redis*key", redis))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid*redis*key");
        for (String bad : List.of("", "with space", "what?", "[x]", "nul\0", "x".repeat(513), "tab\there",
                "new\nline")) {
            assertThatThrownBy(() -> ReplicatedMap.builder(bad, redis)).as("name %s", bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> ReplicatedMap.join(RedisServerExtension.uniqueName("nullredis"), null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ReplicatedMap.join(null, redis)).isInstanceOf(NullPointerException.class);
        for (String good : List.of("x".repeat(512), "a:b:c", "é")) {
            assertThatCode(() -> ReplicatedMap.builder(good, redis)).as("name %s", good).doesNotThrowAnyException();
        }
        assertThat(mapCommandCalls()).isEqualTo(calls);
    }

    @Test
    void negativeTtlIsRejected() {
        String name = RedisServerExtension.uniqueName("neg-ttl");
        assertThatThrownBy(() -> ReplicatedMap.builder(name, redis).ttl(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> ReplicatedMap.builder(name, redis).slidingTtl(Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThatCode(() -> ReplicatedMap.builder(name, redis).ttl(Duration.ZERO).slidingTtl(Duration.ZERO))
                .doesNotThrowAnyException();
    }

    @Test
    void badKeysAreRejectedByEveryMutationBeforeAnyRedisCall() {
        ReplicatedMap map = join("badkeys");
        long calls = mapCommandCalls();

        Map<String, Function<String, ThrowingCallable>> ops = new LinkedHashMap<>();
        ops.put("set", k -> () -> map.set(k, "v"));
        ops.put("setAndWait", k -> () -> map.setAndWait(k, "v"));
        ops.put("setIfAbsent", k -> () -> map.setIfAbsent(k, "v"));
        ops.put("testAndSet", k -> () -> map.testAndSet(k, "a", "b"));
        ops.put("inc", k -> () -> map.inc(k, 1));
        ops.put("appendValues", k -> () -> map.appendValues(k, "a"));
        ops.put("appendUniqueValues", k -> () -> map.appendUniqueValues(k, "a"));
        ops.put("removeValues", k -> () -> map.removeValues(k, "a"));
        ops.put("delete", k -> () -> map.delete(k));
        ops.put("testAndDelete", k -> () -> map.testAndDelete(k, "a"));
        ops.put("testAndReset", k -> () -> map.testAndReset(Map.of("fine", "x", k, "y")));

        SoftAssertions softly = new SoftAssertions();
        for (Map.Entry<String, Function<String, ThrowingCallable>> op : ops.entrySet()) {
            softly.assertThatThrownBy(op.getValue().apply("")).as("%s with an empty key", op.getKey())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
            softly.assertThatThrownBy(op.getValue().apply("foo=2")).as("%s with a key containing '='", op.getKey())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("foo=2")
                    .hasMessageContaining("'='");
        }
        softly.assertAll();

        assertThat(mapCommandCalls()).as("no command reached Redis").isEqualTo(calls);
        assertThat(REDIS.cli().exists(contentKey(map))).isZero();
        assertThat(map.snapshot()).isEmpty();
    }

    @Test
    void nullArgumentsAreRejectedWithNullPointerException() {
        ReplicatedMap map = join("nulls");
        long calls = mapCommandCalls();
        Map<String, ThrowingCallable> ops = new LinkedHashMap<>();
        ops.put("set null value", () -> map.set("k", null));
        ops.put("set null key", () -> map.set(null, "v"));
        ops.put("setAndWait null value", () -> map.setAndWait("k", null));
        ops.put("setIfAbsent null value", () -> map.setIfAbsent("k", null));
        ops.put("testAndSet null expected", () -> map.testAndSet("k", null, "v"));
        ops.put("testAndSet null value", () -> map.testAndSet("k", "v", null));
        ops.put("testAndDelete null expected", () -> map.testAndDelete("k", null));
        ops.put("appendValues null item", () -> map.appendValues("k", "a", null));
        ops.put("appendUniqueValues null item", () -> map.appendUniqueValues("k", (String) null));
        ops.put("removeValues null item", () -> map.removeValues("k", (String) null));
        ops.put("testAndReset null map", () -> map.testAndReset(null));
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("k", null);
        ops.put("testAndReset null value", () -> map.testAndReset(nullValue));
        ops.put("get null key", () -> map.get(null));
        ops.put("subscribe null listener", () -> map.subscribe(null));

        SoftAssertions softly = new SoftAssertions();
        ops.forEach((what, op) -> softly.assertThatThrownBy(op).as(what).isInstanceOf(NullPointerException.class));
        softly.assertAll();
        assertThat(mapCommandCalls()).as("no command reached Redis").isEqualTo(calls);
        assertThat(REDIS.cli().exists(contentKey(map))).isZero();
    }
}
