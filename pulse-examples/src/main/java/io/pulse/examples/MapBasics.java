package io.pulse.examples;

import io.pulse.core.PulseRedis;
import io.pulse.core.Subscription;
import io.pulse.rmap.MapEvent;
import io.pulse.rmap.ReplicatedMap;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Every mutation of a {@link ReplicatedMap}, and a listener that sees each change.
 *
 * <p>A replicated map is a string-to-string map kept in a Redis hash and mirrored in the memory of
 * every process that joined it: reads are local, writes are atomic Lua scripts that also publish the
 * change to every replica, the writer's own included.
 */
public final class MapBasics {

    private MapBasics() {
    }

    public static void main(String[] args) {
        Examples.main(MapBasics::run);
    }

    /** Runs the example against {@code redisUri}, printing to {@code out}; returns the exit code. */
    public static int run(PrintStream out, String redisUri) {
        String name = Examples.unique("config");
        List<String> problems = new ArrayList<>();
        try (PulseRedis redis = PulseRedis.connect(redisUri)) {
            // join: subscribe to the map's changes, then load its content into the local replica
            ReplicatedMap config = ReplicatedMap.join(name, redis);
            out.println("joined the replicated map '" + name + "' (" + config.size() + " keys)");

            // the listener runs on the map's own thread, once per change, in revision order;
            // when it runs, the local replica already shows the change
            List<MapEvent> seen = new ArrayList<>();
            Subscription listener = config.subscribe(event -> {
                synchronized (seen) {
                    seen.add(event);
                }
                out.printf("  listener: %-6s %-16s revision %d%n", event.kind(),
                        event.key() == null ? "" : event.key(), event.revision());
            });

            // set returns the previous value; the local replica catches up a moment later
            String previous = config.set("greeting", "hello");
            out.println("set greeting=hello, previous value " + previous);
            // setAndWait returns once the local replica shows the change: read-your-writes
            previous = config.setAndWait("greeting", "bonjour");
            out.println("setAndWait greeting=bonjour, previous " + previous + ", local read now "
                    + config.get("greeting").orElse("?"));
            check(problems, "get after setAndWait", config.get("greeting").orElse(null), "bonjour");

            boolean added = config.setIfAbsent("owner", "team-a");
            boolean addedAgain = config.setIfAbsent("owner", "team-b");
            out.println("setIfAbsent owner=team-a: " + added + ", then owner=team-b: " + addedAgain);
            check(problems, "setIfAbsent", added + "/" + addedAgain, "true/false");

            // compare-and-swap: returns the value it found, whether or not it matched
            String found = config.testAndSet("version", "v1", "v2");
            out.println("testAndSet version v1->v2 found " + found + ": no change (absent is not v1)");
            config.set("version", "v1");
            found = config.testAndSet("version", "v1", "v2");
            out.println("testAndSet version v1->v2 found " + found + ": now v2");

            // counters: inc adds atomically in Redis and returns the new value
            config.inc("visits", 5);
            long visits = config.inc("visits", -2);
            out.println("inc visits +5 then -2 = " + visits);
            check(problems, "inc", visits, 3L);

            // list-like values are JSON arrays of strings
            config.appendValues("regions", "us-east-1", "eu-west-1", "us-east-1");
            List<String> regions = config.appendUniqueValues("regions", "eu-west-1", "ap-south-1");
            out.println("appendValues + appendUniqueValues regions = " + regions);
            List<String> remaining = config.removeValues("regions", "us-east-1");
            out.println("removeValues us-east-1 -> " + remaining);
            check(problems, "removeValues", remaining, List.of("eu-west-1", "ap-south-1"));

            previous = config.delete("owner");
            out.println("delete owner, it was " + previous);
            found = config.testAndDelete("version", "v1");
            out.println("testAndDelete version if v1 found " + found + ": kept");
            found = config.testAndDelete("version", "v2");
            out.println("testAndDelete version if v2 found " + found + ": deleted");

            // changes reach every replica in revision order, so once the listener saw the last write,
            // the local replica shows all of them
            awaitEvents(seen, MapEvent.Kind.DELETE, "version", 1);
            Map<String, String> snapshot = new TreeMap<>(config.snapshot());
            out.println("local snapshot: " + snapshot + " (" + config.size() + " keys), values of regions: "
                    + config.getValues("regions"));
            check(problems, "keys", snapshot.keySet().toString(), "[greeting, regions, visits]");

            // testAndReset empties the map only if the given keys hold the given values
            boolean reset = config.testAndReset(Map.of("greeting", "hello"));
            out.println("testAndReset if greeting=hello: " + reset);
            reset = config.testAndReset(Map.of("greeting", "bonjour"));
            out.println("testAndReset if greeting=bonjour: " + reset);
            check(problems, "testAndReset", reset, true);
            config.set("greeting", "hi");
            config.reset();
            out.println("reset: the map is empty on every replica");

            awaitEvents(seen, MapEvent.Kind.RESET, null, 2); // testAndReset's, then reset's
            listener.close();
            int changes;
            synchronized (seen) {
                changes = seen.size();
            }
            out.println("the listener saw " + changes + " changes, the last at revision " + config.revision());
            check(problems, "size after reset", config.size(), 0);

            // leave the map (the replica stops following Redis), then remove it from Redis
            config.close();
            config.destroy();
            Examples.deleteKeysContaining(redis, name);
        }
        problems.forEach(p -> out.println("PROBLEM: " + p));
        out.println(problems.isEmpty() ? "map basics: all checks passed" : "map basics: FAILED");
        return problems.isEmpty() ? 0 : 1;
    }

    /** Waits until the listener received {@code count} events of {@code kind} for {@code key}. */
    private static void awaitEvents(List<MapEvent> seen, MapEvent.Kind kind, String key, int count) {
        Examples.await(Duration.ofSeconds(5), () -> {
            synchronized (seen) {
                return seen.stream().filter(e -> e.kind() == kind && Objects.equals(e.key(), key)).count() >= count;
            }
        });
    }

    private static void check(List<String> problems, String what, Object actual, Object expected) {
        if (!expected.equals(actual)) {
            problems.add(what + ": expected " + expected + " but got " + actual);
        }
    }
}
