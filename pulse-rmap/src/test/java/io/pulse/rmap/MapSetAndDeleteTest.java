package io.pulse.rmap;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Writes seen by the replica that made them: set, set-if-absent, delete, test-and-set, test-and-delete,
 * set-and-wait, and the empty string as a value distinct from absent.
 */
@Timeout(120)
class MapSetAndDeleteTest extends MapTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    @Test
    void resetMapIsEmptyAndSetDeleteAndResetBecomeVisibleLocally() {
        ReplicatedMap map = join("local");
        map.reset();
        eventually().untilAsserted(() -> assertThat(map.revision()).isEqualTo(storedRevision(map)));
        assertThat(map.snapshot()).isEmpty();
        assertThat(map.keys()).isEmpty();
        assertThat(map.size()).isZero();

        assertThat(map.set("foo", "bar")).isNull();
        eventually().untilAsserted(() -> assertThat(map.snapshot()).containsExactly(Map.entry("foo", "bar")));
        assertThat(map.keys()).containsExactly("foo");
        assertThat(map.get("foo")).contains("bar");

        assertThat(map.delete("foo")).isEqualTo("bar");
        eventually().untilAsserted(() -> assertThat(map.snapshot()).isEmpty());
        assertThat(map.keys()).isEmpty();
        assertThat(map.get("foo")).isEmpty();

        assertThat(map.set("foo", "bar")).isNull();
        assertThat(map.set("baz", "qux")).isNull();
        assertThat(map.set("quux", "corge")).isNull();
        eventually().untilAsserted(() -> assertThat(map.snapshot())
                .isEqualTo(Map.of("foo", "bar", "baz", "qux", "quux", "corge")));
        assertThat(map.delete("baz")).isEqualTo("qux");
        eventually().untilAsserted(() -> assertThat(map.size()).isEqualTo(2));
        assertThat(map.get("baz")).isEmpty();
        assertThat(map.get("foo")).contains("bar");
        assertThat(map.get("quux")).contains("corge");

        map.reset();
        eventually().untilAsserted(() -> assertThat(map.size()).isZero());
        assertThat(map.get("foo")).isEmpty();
        assertThat(map.get("baz")).isEmpty();
        assertThat(map.get("quux")).isEmpty();
        assertThat(map.snapshot()).isEmpty();
    }

    @Test
    void setAndWaitGivesReadYourWritesOnTheSameReplica() {
        ReplicatedMap map = join("andwait");
        assertThat(map.setAndWait("key1", "value1")).isNull();
        assertThat(map.get("key1")).contains("value1");

        assertThat(map.setAndWait("key1", "value2")).isEqualTo("value1");
        assertThat(map.get("key1")).contains("value2");
    }

    @Test
    void setAndWaitAmongManyPlainSetsSucceedsAndShowsItsOwnWrite() {
        ReplicatedMap map = join("andwait-burst");
        for (int i = 0; i < 20; i++) {
            assertThat(map.set("before" + i, "v" + i)).isNull();
        }
        assertThat(map.setAndWait("middle", "m")).isNull();
        assertThat(map.get("middle")).contains("m");
        // everything written before the awaited write has a lower revision, so it shows too
        for (int i = 0; i < 20; i++) {
            assertThat(map.get("before" + i)).contains("v" + i);
        }
        for (int i = 0; i < 20; i++) {
            assertThat(map.set("after" + i, "v" + i)).isNull();
        }
        eventually().untilAsserted(() -> assertThat(map.size()).isEqualTo(41));
        assertThat(map.revision()).isEqualTo(storedRevision(map));
    }

    @Test
    void emptyStringIsAValueDistinctFromAbsent() {
        ReplicatedMap map = join("empty");
        assertThat(map.get("foo")).isEmpty();
        assertThat(map.set("foo", "")).isNull();
        eventually().untilAsserted(() -> assertThat(map.get("foo")).contains(""));
        assertThat(map.keys()).containsExactly("foo");
        assertThat(stored(map, "foo")).isEmpty();
        assertThat(map.set("foo", "x")).isNotNull().isEmpty();
    }

    @Test
    void setReturnsPreviousValueOrNullWhenAbsentAndEventuallyShowsNewOne() {
        ReplicatedMap map = join("setex");
        assertThat(map.set("k", "v1")).isNull();
        eventually().untilAsserted(() -> assertThat(map.get("k")).contains("v1"));

        assertThat(map.set("k", "v2")).isEqualTo("v1");
        eventually().untilAsserted(() -> assertThat(map.get("k")).contains("v2"));

        assertThat(map.set("empty", "")).isNull();
        assertThat(map.set("empty", "nonempty")).as("present with an empty value is not absent").isEqualTo("");
        eventually().untilAsserted(() -> assertThat(map.get("empty")).contains("nonempty"));
    }

    @Test
    void setIfAbsentWritesOnlyAbsentKeys() {
        ReplicatedMap map = join("ifabsent");
        assertThat(map.setIfAbsent("k", "first")).isTrue();
        eventually().untilAsserted(() -> assertThat(map.get("k")).contains("first"));
        long revision = storedRevision(map);

        assertThat(map.setIfAbsent("k", "second")).isFalse();
        assertThat(stored(map, "k")).isEqualTo("first");
        assertThat(storedRevision(map)).isEqualTo(revision);
        throughout().until(() -> map.get("k").equals(Optional.of("first")));
    }

    @Test
    void deleteReturnsPreviousValueOrNullAndAbsentKeyIsNoOp() {
        ReplicatedMap map = join("deleteex");
        assertThat(map.delete("missing")).isNull();
        assertThat(REDIS.cli().exists(contentKey(map))).as("deleting an absent key writes nothing").isZero();

        map.setAndWait("k", "v");
        long revision = storedRevision(map);
        assertThat(map.delete("missing")).isNull();
        assertThat(storedRevision(map)).as("no revision bump for an absent key").isEqualTo(revision);

        assertThat(map.delete("k")).isEqualTo("v");
        eventually().untilAsserted(() -> assertThat(map.get("k")).isEmpty());
        assertThat(map.snapshot()).isEmpty();
        assertThat(REDIS.cli().hexists(contentKey(map), "k")).isFalse();
    }

    @Test
    void testAndSetReplacesOnlyOnExactMatchAndReturnsTheValueFoundBefore() {
        ReplicatedMap map = join("tas-ex");
        map.setAndWait("k", "v1");

        assertThat(map.testAndSet("k", "v1", "v2")).isEqualTo("v1");
        eventually().untilAsserted(() -> assertThat(map.get("k")).contains("v2"));

        assertThat(map.testAndSet("k", "v1", "v3")).isEqualTo("v2");
        assertThat(stored(map, "k")).isEqualTo("v2");
        throughout().until(() -> map.get("k").equals(Optional.of("v2")));

        long revision = storedRevision(map);
        assertThat(map.testAndSet("missing", "", "x")).as("an absent key equals nothing, not even \"\"").isNull();
        assertThat(REDIS.cli().hexists(contentKey(map), "missing")).isFalse();
        assertThat(storedRevision(map)).isEqualTo(revision);
        throughout().until(() -> map.get("missing").isEmpty());
    }

    @Test
    void testAndSetWithWrongExpectationLeavesValueUnchanged() {
        ReplicatedMap map = join("tas");
        map.setAndWait("foo", "bar");

        assertThat(map.testAndSet("foo", "bar", "baz")).isEqualTo("bar");
        eventually().untilAsserted(() -> assertThat(map.get("foo")).contains("baz"));

        assertThat(map.testAndSet("foo", "", "bar")).isEqualTo("baz");
        throughout().until(() -> map.get("foo").equals(Optional.of("baz")));
        assertThat(stored(map, "foo")).isEqualTo("baz");
    }

    @Test
    void testAndDeleteDeletesOnlyOnExactMatchAndReturnsTheValueFoundBefore() {
        ReplicatedMap map = join("tad");
        map.setAndWait("k", "v");
        long revision = storedRevision(map);

        assertThat(map.testAndDelete("k", "nope")).isEqualTo("v");
        assertThat(stored(map, "k")).isEqualTo("v");
        assertThat(storedRevision(map)).isEqualTo(revision);
        throughout().until(() -> map.get("k").equals(Optional.of("v")));

        assertThat(map.testAndDelete("k", "v")).isEqualTo("v");
        eventually().untilAsserted(() -> assertThat(map.get("k")).isEmpty());
        assertThat(REDIS.cli().hexists(contentKey(map), "k")).isFalse();

        assertThat(map.testAndDelete("missing", "")).isNull();
        assertThat(map.testAndDelete("missing", "v")).isNull();
    }
}
