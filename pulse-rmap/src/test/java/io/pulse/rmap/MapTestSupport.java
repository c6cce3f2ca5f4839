package io.pulse.rmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.core.ConditionFactory;

/**
 * What the replicated map tests share: maps joined on one connection per test class (closed after the
 * class), and what Redis holds for a map (content, revision, TTL, command counts). Each concrete class
 * brings its own Redis ({@link #redis()}).
 */
abstract class MapTestSupport {

    /** The Redis of the concrete test class. */
    abstract RedisServerExtension redis();

    /** One connection per test class, as a service has one per process; the extension closes it after the class. */
    private static final Map<Class<?>, PulseRedis> CONNECTIONS = new ConcurrentHashMap<>();

    /** The class's connection to its Redis. */
    final PulseRedis redis = CONNECTIONS.computeIfAbsent(getClass(), c -> redis().newPulseRedis());

    /** For "nothing changes": the condition must hold for 200 ms in a row. */
    static ConditionFactory throughout() {
        return await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20));
    }

    ReplicatedMap join(String base) {
        return redis().track(ReplicatedMap.join(RedisServerExtension.uniqueName(base), redis));
    }

    static String contentKey(ReplicatedMap map) {
        return contentKey(map.name());
    }

    static String contentKey(String name) {
        return "map:" + name + ":content";
    }

    static String updatesChannel(String name) {
        return "map:" + name + ":updates";
    }

    String stored(ReplicatedMap map, String key) {
        return redis().cli().hget(contentKey(map), key);
    }

    long storedRevision(ReplicatedMap map) {
        String rev = stored(map, "=rev");
        return rev == null ? 0 : Long.parseLong(rev);
    }

    long pttl(ReplicatedMap map) {
        return redis().cli().pttl(contentKey(map));
    }

    /** Payload of a {@code set} message as the scripts publish it (ASCII only, lengths below 128). */
    static String setMessage(String key, String value, long rev) {
        return "set:" + lengthPrefixed(key) + lengthPrefixed(value) + lengthPrefixed(Long.toString(rev));
    }

    static String lengthPrefixed(String ascii) {
        assertThat(ascii.length()).isLessThan(128);
        return "" + (char) ascii.length() + (char) 0 + (char) 0 + (char) 0 + ascii;
    }

    /** Calls of every command that could read or write a map, over the whole server. */
    long mapCommandCalls() {
        String info = redis().cli().info("commandstats");
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

    static List<MapEvent.Kind> kinds(List<MapEvent> events) {
        List<MapEvent.Kind> kinds = new ArrayList<>();
        events.forEach(e -> kinds.add(e.kind()));
        return kinds;
    }
}
