package io.pulse.rmap;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.pulse.core.ClosedException;
import io.pulse.testing.RedisServerExtension;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Test-and-reset, destroy and close: what is left in Redis and in the replica, and what a closed map
 * still does.
 */
@Timeout(120)
class MapResetAndDestroyTest extends MapTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    @Test
    void closedMapKeepsServingItsLastStateRefusesMutationsButStillResets() {
        ReplicatedMap map = join("closed");
        map.setAndWait("foo", "bar");

        map.close();
        assertThat(map.isClosed()).isTrue();
        assertThatCode(map::close).doesNotThrowAnyException();

        assertThat(map.size()).isEqualTo(1);
        assertThat(map.snapshot()).containsExactly(Map.entry("foo", "bar"));
        assertThat(map.keys()).containsExactly("foo");
        assertThat(map.get("foo")).contains("bar");

        SoftAssertions softly = new SoftAssertions();
        Map<String, ThrowingCallable> refused = new LinkedHashMap<>();
        refused.put("set", () -> map.set("foo", "baz"));
        refused.put("delete", () -> map.delete("foo"));
        refused.put("setAndWait", () -> map.setAndWait("foo", "baz"));
        refused.put("setIfAbsent", () -> map.setIfAbsent("other", "x"));
        refused.put("testAndSet", () -> map.testAndSet("foo", "bar", "baz"));
        refused.put("testAndDelete", () -> map.testAndDelete("foo", "bar"));
        refused.put("inc", () -> map.inc("n", 1));
        refused.put("appendValues", () -> map.appendValues("l", "a"));
        refused.put("appendUniqueValues", () -> map.appendUniqueValues("l", "a"));
        refused.put("removeValues", () -> map.removeValues("l", "a"));
        refused.put("testAndReset", () -> map.testAndReset(Map.of("foo", "bar")));
        refused.put("subscribe", () -> map.subscribe(e -> { }));
        for (Map.Entry<String, ThrowingCallable> op : refused.entrySet()) {
            softly.assertThatThrownBy(op.getValue()).as(op.getKey() + " after close")
                    .isInstanceOf(ClosedException.class);
        }
        softly.assertAll();
        assertThat(REDIS.cli().hgetall(contentKey(map))).containsEntry("foo", "bar").doesNotContainKeys("other", "n", "l");

        long revision = storedRevision(map);
        assertThatCode(map::reset).doesNotThrowAnyException();
        assertThat(REDIS.cli().hgetall(contentKey(map)))
                .isEqualTo(Map.of("=rev", Long.toString(revision + 1), "=kind", "reset"));
        // a closed replica no longer follows Redis: its content stays frozen
        throughout().until(() -> map.snapshot().equals(Map.of("foo", "bar")));

        assertThatCode(map::destroy).doesNotThrowAnyException();
        assertThat(REDIS.cli().hgetall(contentKey(map)))
                .isEqualTo(Map.of("=rev", Long.toString(revision + 2), "=kind", "destroy"));
    }

    @Test
    void testAndResetEmptiesTheMapWhenEveryKeyMatches() {
        ReplicatedMap map = join("tar");
        map.set("key1", "value1");
        map.set("key2", "value2");
        map.setAndWait("key3", "value3");

        assertThat(map.testAndReset(Map.of("key1", "value1", "key2", "value2", "key3", "value3"))).isTrue();
        eventually().untilAsserted(() -> assertThat(map.snapshot()).isEmpty());
        assertThat(REDIS.cli().hget(contentKey(map), "=kind")).isEqualTo("reset");
    }

    @Test
    void testAndResetDoesNothingUnlessEveryKeyMatches() {
        ReplicatedMap map = join("tar-no");
        map.set("key1", "newvalue1");
        map.setAndWait("key2", "newvalue2");
        long revision = storedRevision(map);

        assertThat(map.testAndReset(Map.of("key1", "value1", "key2", "value2"))).as("wrong values").isFalse();
        assertThat(map.testAndReset(Map.of("key1", "newvalue1", "key2", "value2"))).as("partly right").isFalse();
        assertThat(map.testAndReset(Map.of("key1", "newvalue1", "key3", "value3"))).as("one key absent").isFalse();
        assertThat(map.testAndReset(Map.of("key3", ""))).as("absent equals nothing, not even \"\"").isFalse();

        assertThat(storedRevision(map)).isEqualTo(revision);
        assertThat(REDIS.cli().hgetall(contentKey(map))).containsEntry("key1", "newvalue1").containsEntry("key2", "newvalue2");
        throughout().until(() -> map.size() == 2);
        assertThat(map.snapshot()).isEqualTo(Map.of("key1", "newvalue1", "key2", "newvalue2"));
    }

    @Test
    void testAndResetWithNoKeysAlwaysResets() {
        ReplicatedMap map = join("tar-all");
        map.set("a", "1");
        map.setAndWait("b", "2");

        assertThat(map.testAndReset(Map.of())).isTrue();
        eventually().untilAsserted(() -> assertThat(map.snapshot()).isEmpty());
    }

    @Test
    void destroyLeavesOnlyATombstoneAndTheMapCanBeReused() {
        ReplicatedMap map = join("destroy");
        map.setAndWait("before", "1");
        long revision = storedRevision(map);

        map.destroy();
        assertThat(REDIS.cli().hgetall(contentKey(map)))
                .isEqualTo(Map.of("=rev", Long.toString(revision + 1), "=kind", "destroy"));
        eventually().untilAsserted(() -> assertThat(map.snapshot()).isEmpty());
        assertThat(map.revision()).isEqualTo(revision + 1);

        assertThat(map.set("after", "2")).isNull();
        eventually().untilAsserted(() -> assertThat(map.snapshot()).isEqualTo(Map.of("after", "2")));
        assertThat(map.revision()).isEqualTo(revision + 2);
        assertThat(REDIS.cli().hget(contentKey(map), "=kind")).isEqualTo("set");

        ReplicatedMap later = REDIS.track(ReplicatedMap.join(map.name(), REDIS.newPulseRedis()));
        assertThat(later.snapshot()).isEqualTo(Map.of("after", "2"));
        assertThat(later.revision()).isEqualTo(revision + 2);
    }
}
