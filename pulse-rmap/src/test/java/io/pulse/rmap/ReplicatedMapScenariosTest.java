package io.pulse.rmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.KillArgs;
import io.pulse.core.ClosedException;
import io.pulse.core.PulseException;
import io.pulse.core.PulseRedis;
import io.pulse.core.Subscription;
import io.pulse.testing.RedisServerExtension;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.LoggingEvent;
import org.slf4j.spi.LoggingEventAware;

/**
 * The replicated map scenarios of Go Pulse's rmap tests, ported to the Java
 * API and run against a real Redis.
 */
@Timeout(120)
class ReplicatedMapScenariosTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static PulseRedis redis;

    @BeforeAll
    static void connect() {
        redis = REDIS.newPulseRedis();
    }

    // ------------------------------------------------------------------ helpers

    private static ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20));
    }

    /** For "nothing changes": the condition must hold for 200 ms in a row. */
    private static ConditionFactory throughout() {
        return await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20));
    }

    private static ReplicatedMap join(String base) {
        return REDIS.track(ReplicatedMap.join(RedisServerExtension.uniqueName(base), redis));
    }

    private static String contentKey(ReplicatedMap map) {
        return contentKey(map.name());
    }

    private static String contentKey(String name) {
        return "map:" + name + ":content";
    }

    private static String updatesChannel(String name) {
        return "map:" + name + ":updates";
    }

    private static String stored(ReplicatedMap map, String key) {
        return REDIS.cli().hget(contentKey(map), key);
    }

    private static long storedRevision(ReplicatedMap map) {
        String rev = stored(map, "=rev");
        return rev == null ? 0 : Long.parseLong(rev);
    }

    private static long pttl(ReplicatedMap map) {
        return REDIS.cli().pttl(contentKey(map));
    }

    /** Payload of a {@code set} message as the scripts publish it (ASCII only, lengths below 128). */
    private static String setMessage(String key, String value, long rev) {
        return "set:" + lengthPrefixed(key) + lengthPrefixed(value) + lengthPrefixed(Long.toString(rev));
    }

    private static String lengthPrefixed(String ascii) {
        assertThat(ascii.length()).isLessThan(128);
        return "" + (char) ascii.length() + (char) 0 + (char) 0 + (char) 0 + ascii;
    }

    /** Calls of every command that could read or write a map, over the whole server. */
    private static long mapCommandCalls() {
        String info = REDIS.cli().info("commandstats");
        long calls = 0;
        for (String line : info.split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            String command = line.substring("cmdstat_".length(), line.indexOf(':'));
            boolean relevant = command.startsWith("eval") || command.startsWith("fcall")
                    || command.startsWith("h") && !command.equals("hello")
                    || command.equals("publish") || command.endsWith("expire") || command.equals("del");
            if (!relevant) {
                continue;
            }
            for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
                if (field.startsWith("calls=")) {
                    calls += Long.parseLong(field.substring("calls=".length()));
                }
            }
        }
        return calls;
    }

    private static List<MapEvent.Kind> kinds(List<MapEvent> events) {
        List<MapEvent.Kind> kinds = new ArrayList<>();
        events.forEach(e -> kinds.add(e.kind()));
        return kinds;
    }

    // ------------------------------------------------------------------ TestMapLocal

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

    // ------------------------------------------------------------------ TTL

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

    // ------------------------------------------------------------------ SetAndWait

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

    // ------------------------------------------------------------------ ReadAfterClose

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

    // ------------------------------------------------------------------ values and Ex variants

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

    // ------------------------------------------------------------------ TestAndReset

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

    // ------------------------------------------------------------------ lists

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

    // ------------------------------------------------------------------ inc

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

    // ------------------------------------------------------------------ destroy

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

    // ------------------------------------------------------------------ argument errors

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

    // ------------------------------------------------------------------ listeners

    @Test
    void listenersGetEveryChangeInRevisionOrderWithItsKindOffTheRedisIoThreads() {
        ReplicatedMap map = join("events");
        List<MapEvent> events = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        List<String> notYetVisible = new CopyOnWriteArrayList<>();
        map.subscribe(e -> {
            threads.add(Thread.currentThread().getName());
            if (map.revision() < e.revision()) {
                notYetVisible.add(e.toString());
            }
            events.add(e);
        });

        map.set("a", "1");
        map.set("b", "2");
        map.delete("a");
        map.reset();
        map.set("c", "3");
        map.destroy();
        map.inc("n", 5);
        map.testAndDelete("n", "5");
        map.appendValues("l", "x");
        map.removeValues("l", "x");
        long last = storedRevision(map);

        eventually().until(() -> events.size() >= 10);
        assertThat(kinds(events)).containsExactly(MapEvent.Kind.CHANGE, MapEvent.Kind.CHANGE, MapEvent.Kind.DELETE,
                MapEvent.Kind.RESET, MapEvent.Kind.CHANGE, MapEvent.Kind.RESET, MapEvent.Kind.CHANGE,
                MapEvent.Kind.DELETE, MapEvent.Kind.CHANGE, MapEvent.Kind.DELETE);
        assertThat(events).extracting(MapEvent::key)
                .containsExactly("a", "b", "a", null, "c", null, "n", "n", "l", "l");
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).revision()).as("revision of event %d", i).isEqualTo(last - 9 + i);
        }
        assertThat(notYetVisible).as("events received before the replica showed them").isEmpty();
        assertThat(threads).allSatisfy(t -> assertThat(t.toLowerCase(Locale.ROOT))
                .doesNotContain("lettuce").doesNotContain("epoll").doesNotContain("nio"));
        throughout().until(() -> events.size() == 10);
    }

    @Test
    void closingASubscriptionStopsItsDeliveryOnly() {
        ReplicatedMap map = join("unsubscribe");
        List<MapEvent> stopped = new CopyOnWriteArrayList<>();
        List<MapEvent> kept = new CopyOnWriteArrayList<>();
        Subscription toStop = map.subscribe(stopped::add);
        map.subscribe(kept::add);

        map.set("k", "1");
        eventually().until(() -> stopped.size() == 1 && kept.size() == 1);

        toStop.close();
        assertThatCode(toStop::close).doesNotThrowAnyException();
        map.set("k", "2");
        map.delete("k");
        eventually().until(() -> kept.size() == 3);
        throughout().until(() -> stopped.size() == 1);
        assertThat(kinds(stopped)).containsExactly(MapEvent.Kind.CHANGE);
        assertThat(kinds(kept)).containsExactly(MapEvent.Kind.CHANGE, MapEvent.Kind.CHANGE, MapEvent.Kind.DELETE);
    }

    @Test
    void malformedUpdateMessagesAreIgnoredWithoutTouchingTheReplica() {
        String name = RedisServerExtension.uniqueName("malformed");
        REDIS.cli().hset(contentKey(name), Map.of("stale", "value", "=rev", "7", "=kind", "set"));
        ReplicatedMap map = REDIS.track(ReplicatedMap.join(name, redis));
        assertThat(map.revision()).isEqualTo(7);
        List<MapEvent> events = new CopyOnWriteArrayList<>();
        map.subscribe(events::add);

        REDIS.cli().publish(updatesChannel(name), "destroy:");
        REDIS.cli().publish(updatesChannel(name), "destroy:notanumber");
        REDIS.cli().publish(updatesChannel(name), "reset:");
        REDIS.cli().publish(updatesChannel(name), "no colon at all");
        REDIS.cli().publish(updatesChannel(name), "set:" + (char) 200);
        // a valid message published after them arrives after them on the channel
        REDIS.cli().publish(updatesChannel(name), setMessage("fresh", "1", 8));

        eventually().untilAsserted(() -> assertThat(map.get("fresh")).contains("1"));
        assertThat(map.snapshot()).isEqualTo(Map.of("stale", "value", "fresh", "1"));
        assertThat(map.revision()).isEqualTo(8);
        eventually().until(() -> !events.isEmpty());
        throughout().until(() -> events.size() == 1);
        assertThat(events).containsExactly(new MapEvent(MapEvent.Kind.CHANGE, "fresh", 8));
    }

    // ------------------------------------------------------------------ replicas and reconnects

    @Test
    void replicasOnTwoConnectionsSeeEachOthersWrites() {
        String name = RedisServerExtension.uniqueName("replicas");
        ReplicatedMap a = REDIS.track(ReplicatedMap.join(name, REDIS.newPulseRedis()));
        a.setAndWait("early", "e");
        ReplicatedMap b = REDIS.track(ReplicatedMap.join(name, REDIS.newPulseRedis()));
        assertThat(b.snapshot()).as("a late joiner loads the content").isEqualTo(Map.of("early", "e"));

        assertThat(a.set("k", "from-a")).isNull();
        eventually().untilAsserted(() -> assertThat(b.get("k")).contains("from-a"));

        assertThat(b.set("k", "from-b")).isEqualTo("from-a");
        assertThat(b.inc("n", 3)).isEqualTo(3);
        eventually().untilAsserted(() -> {
            assertThat(a.get("k")).contains("from-b");
            assertThat(a.get("n")).contains("3");
        });

        assertThat(b.delete("early")).isEqualTo("e");
        eventually().untilAsserted(() -> assertThat(a.get("early")).isEmpty());
        eventually().untilAsserted(() -> assertThat(a.snapshot()).isEqualTo(b.snapshot()));

        a.reset();
        eventually().untilAsserted(() -> {
            assertThat(a.snapshot()).isEmpty();
            assertThat(b.snapshot()).isEmpty();
        });
        assertThat(a.revision()).isEqualTo(b.revision()).isEqualTo(storedRevision(a));
    }

    @Test
    void replicaResyncsAfterItsSubscriberConnectionIsKilledAndKeepsFollowingChanges() {
        ReplicatedMap map = REDIS.track(ReplicatedMap.join(RedisServerExtension.uniqueName("reconnect"),
                REDIS.newPulseRedis()));
        List<MapEvent> events = new CopyOnWriteArrayList<>();
        map.subscribe(events::add);
        map.setAndWait("foo", "bar");
        long resyncs = map.resyncCount();

        assertThat(REDIS.cli().clientKill(KillArgs.Builder.typePubsub())).isPositive();

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> map.resyncCount() > resyncs);
        eventually().until(() -> events.stream().anyMatch(e -> e.kind() == MapEvent.Kind.RESYNC));
        assertThat(map.snapshot()).isEqualTo(Map.of("foo", "bar"));

        assertThat(map.set("foo2", "bar2")).isNull();
        eventually().untilAsserted(() -> assertThat(map.size()).isEqualTo(2));
        assertThat(map.get("foo2")).contains("bar2");
    }

    @Test
    void resetDuringASubscriberOutageReachesTheObserverAsResetOrResync() {
        String name = RedisServerExtension.uniqueName("outage");
        ReplicatedMap observer = REDIS.track(ReplicatedMap.join(name, REDIS.newPulseRedis()));
        ReplicatedMap writer = REDIS.track(ReplicatedMap.join(name, REDIS.newPulseRedis()));
        writer.set("k", "v");
        eventually().untilAsserted(() -> assertThat(observer.get("k")).contains("v"));
        List<MapEvent> events = new CopyOnWriteArrayList<>();
        observer.subscribe(events::add);

        REDIS.cli().clientKill(KillArgs.Builder.typePubsub());
        writer.reset();
        long resetRevision = storedRevision(writer);

        Supplier<Boolean> told = () -> events.stream().anyMatch(e ->
                (e.kind() == MapEvent.Kind.RESET || e.kind() == MapEvent.Kind.RESYNC) && e.revision() >= resetRevision);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(told::get);
        assertThat(observer.snapshot()).isEmpty();
        assertThat(observer.revision()).isGreaterThanOrEqualTo(resetRevision);
    }

    // ------------------------------------------------------------------ logs

    @Test
    void logsTellJoinSetDeleteResetAndClose() {
        RecordingLogger recording = new RecordingLogger();
        String name = RedisServerExtension.uniqueName("logs");
        ReplicatedMap map = ReplicatedMap.builder(name, redis).logger(recording.logger()).join();
        try {
            map.reset();
            map.set("foo", "bar");
            map.delete("foo");
            map.setAndWait("foo", "bar");
            map.reset();
            eventually().untilAsserted(() -> assertThat(map.snapshot()).isEmpty());
        } finally {
            map.close();
        }
        eventually().untilAsserted(() -> assertThat(recording.lines).anyMatch(l -> l.endsWith(" closed")));
        List<String> lines = recording.lines;
        assertThat(lines).anyMatch(l -> l.contains("map=" + name) && l.endsWith(" joined"));
        assertThat(lines).anyMatch(l -> l.contains("key=foo") && l.endsWith(" set"));
        assertThat(lines).anyMatch(l -> l.contains("key=foo") && l.endsWith(" deleted"));
        assertThat(lines).anyMatch(l -> l.endsWith(" reset"));
        assertThat(lines.get(lines.size() - 1)).contains("map=" + name).endsWith(" closed");
    }

    /** An SLF4J logger, enabled at every level, that keeps each entry as "k=v k=v message". */
    private static final class RecordingLogger implements InvocationHandler {
        final List<String> lines = new CopyOnWriteArrayList<>();

        Logger logger() {
            return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(),
                    new Class<?>[] {Logger.class, LoggingEventAware.class}, this);
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.startsWith("is") && name.endsWith("Enabled")) {
                return true;
            }
            if (name.equals("log") && args != null && args.length == 1 && args[0] instanceof LoggingEvent event) {
                StringBuilder line = new StringBuilder();
                if (event.getKeyValuePairs() != null) {
                    for (KeyValuePair kv : event.getKeyValuePairs()) {
                        line.append(kv.key).append('=').append(kv.value).append(' ');
                    }
                }
                lines.add(line.append(event.getMessage()).toString());
                return null;
            }
            switch (name) {
                case "getName":
                    return "recording";
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                case "toString":
                    return "RecordingLogger";
                default:
                    break;
            }
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            if (args != null && args.length > 0) {
                Object message = args[0] instanceof Marker && args.length > 1 ? args[1] : args[0];
                lines.add(" " + message);
            }
            return null;
        }
    }
}
