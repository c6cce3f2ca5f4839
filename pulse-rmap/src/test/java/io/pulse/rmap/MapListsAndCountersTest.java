package io.pulse.rmap;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulse.core.ClosedException;
import io.pulse.core.PulseException;
import io.pulse.testing.RedisServerExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * List values (append, append-unique, remove, Go-compatible JSON and legacy comma lists) and integer
 * counters.
 */
@Timeout(120)
class MapListsAndCountersTest extends MapTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    @Test
    void appendUniqueValuesAppendsOnlyNewItemsAndStoresGoCompatibleJson() {
        ReplicatedMap map = join("unique");
        assertThat(map.appendUniqueValues("key", "a", "b", "c")).containsExactly("a", "b", "c");
        assertThat(stored(map, "key")).isEqualTo("[\"a\",\"b\",\"c\"]");
        eventually().untilAsserted(() -> assertThat(map.getValues("key")).containsExactly("a", "b", "c"));

        assertThat(map.appendUniqueValues("key", "d", "e", "a")).containsExactly("a", "b", "c", "d", "e");
        assertThat(stored(map, "key")).isEqualTo("[\"a\",\"b\",\"c\",\"d\",\"e\"]");

        long revision = storedRevision(map);
        assertThat(map.appendUniqueValues("key", "a", "b", "c")).containsExactly("a", "b", "c", "d", "e");
        assertThat(storedRevision(map)).as("nothing appended, nothing written").isEqualTo(revision);
        assertThat(stored(map, "key")).isEqualTo("[\"a\",\"b\",\"c\",\"d\",\"e\"]");

        assertThat(map.appendUniqueValues("other", "x", "y", "x", "z")).containsExactly("x", "y", "z");
        eventually().untilAsserted(() -> {
            assertThat(map.getValues("key")).containsExactly("a", "b", "c", "d", "e");
            assertThat(map.getValues("other")).containsExactly("x", "y", "z");
        });
    }

    @Test
    void appendAndRemoveValuesMaintainAJsonListAndDeleteItWhenEmpty() {
        ReplicatedMap map = join("arrays");
        assertThat(map.getValues("foo")).isEmpty();

        assertThat(map.appendValues("foo", "bar")).containsExactly("bar");
        assertThat(stored(map, "foo")).isEqualTo("[\"bar\"]");
        assertThat(map.appendValues("foo", "baz")).containsExactly("bar", "baz");
        assertThat(stored(map, "foo")).isEqualTo("[\"bar\",\"baz\"]");
        eventually().untilAsserted(() -> assertThat(map.getValues("foo")).containsExactly("bar", "baz"));

        assertThat(map.removeValues("foo", "bar")).containsExactly("baz");
        assertThat(stored(map, "foo")).isEqualTo("[\"baz\"]");
        eventually().untilAsserted(() -> assertThat(map.getValues("foo")).containsExactly("baz"));

        assertThat(map.removeValues("foo", "baz")).isEmpty();
        assertThat(REDIS.cli().hexists(contentKey(map), "foo")).isFalse();
        assertThat(REDIS.cli().hget(contentKey(map), "=kind")).isEqualTo("del");
        eventually().untilAsserted(() -> assertThat(map.snapshot()).isEmpty());
        assertThat(map.get("foo")).isEmpty();

        long revision = storedRevision(map);
        assertThat(map.removeValues("none", "bar")).isEmpty();
        assertThat(storedRevision(map)).isEqualTo(revision);
        assertThat(REDIS.cli().hexists(contentKey(map), "none")).isFalse();
    }

    @Test
    void appendValuesKeepsDuplicatesAndRemoveValuesRemovesEveryOccurrence() {
        ReplicatedMap map = join("dups");
        assertThat(map.appendValues("l", "a", "b", "a")).containsExactly("a", "b", "a");
        assertThat(map.appendValues("l", "a")).containsExactly("a", "b", "a", "a");
        assertThat(stored(map, "l")).isEqualTo("[\"a\",\"b\",\"a\",\"a\"]");

        long revision = storedRevision(map);
        assertThat(map.removeValues("l", "zzz")).as("nothing removed").containsExactly("a", "b", "a", "a");
        assertThat(storedRevision(map)).isEqualTo(revision);

        assertThat(map.removeValues("l", "a")).containsExactly("b");
        assertThat(stored(map, "l")).isEqualTo("[\"b\"]");
        eventually().untilAsserted(() -> assertThat(map.getValues("l")).containsExactly("b"));
    }

    @Test
    void joinReadsExistingContentIncludingLegacyCommaListsAndHidesReservedFields() {
        String name = RedisServerExtension.uniqueName("legacy");
        REDIS.cli().hset(contentKey(name), Map.of("legacy", "a,,b", "plain", "v", "=rev", "41", "=kind", "set"));
        ReplicatedMap map = REDIS.track(ReplicatedMap.join(name, redis));

        assertThat(map.revision()).isEqualTo(41);
        assertThat(map.snapshot()).isEqualTo(Map.of("legacy", "a,,b", "plain", "v"));
        assertThat(map.getValues("legacy")).as("client side keeps empty parts").containsExactly("a", "", "b");

        assertThat(map.appendValues("legacy", "c")).as("script side drops empty parts").containsExactly("a", "b", "c");
        assertThat(stored(map, "legacy")).isEqualTo("[\"a\",\"b\",\"c\"]");
        assertThat(map.appendValues("slash", "x/y")).containsExactly("x/y");
        assertThat(stored(map, "slash")).as("cjson escapes '/'").isEqualTo("[\"x\\/y\"]");
        eventually().untilAsserted(() -> {
            assertThat(map.getValues("legacy")).containsExactly("a", "b", "c");
            assertThat(map.getValues("slash")).containsExactly("x/y");
            assertThat(map.revision()).isEqualTo(43);
        });
    }

    @Test
    void incAddsDeltasToAnIntegerStartingFromZero() {
        ReplicatedMap map = join("inc");
        assertThat(map.inc("foo", 1)).isEqualTo(1);
        assertThat(stored(map, "foo")).isEqualTo("1");
        assertThat(map.inc("foo", 41)).isEqualTo(42);
        assertThat(map.inc("foo", -1)).isEqualTo(41);
        assertThat(map.inc("foo", -41)).isZero();
        assertThat(stored(map, "foo")).isEqualTo("0");
        eventually().untilAsserted(() -> assertThat(map.get("foo")).contains("0"));
    }

    @Test
    void incOnANonIntegerValueFailsAndLeavesItUnchanged() {
        ReplicatedMap map = join("inc-bad");
        map.setAndWait("foo", "bar");
        long revision = storedRevision(map);
        assertThatThrownBy(() -> map.inc("foo", 1)).isInstanceOf(PulseException.class)
                .isNotInstanceOf(ClosedException.class);
        assertThat(stored(map, "foo")).isEqualTo("bar");
        assertThat(storedRevision(map)).isEqualTo(revision);
        assertThat(map.get("foo")).contains("bar");
    }
}
