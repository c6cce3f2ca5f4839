package io.pulse.examples;

import io.pulse.core.PulseRedis;
import io.pulse.rmap.ReplicatedMap;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A read-through cache shared by service instances: each instance reads its local replica first and
 * only loads from the (slow) database on a miss; what one instance loads, every other instance then
 * reads locally. Each instance has its own {@link PulseRedis}, as separate processes would.
 */
public final class DistributedCache {

    private DistributedCache() {
    }

    public static void main(String[] args) {
        Examples.main(DistributedCache::run);
    }

    /** The database the cache saves round trips to; counts how often it is asked. */
    static final class SlowDatabase {
        private final Map<String, String> users = Map.of("42", "{\"id\":\"42\",\"name\":\"Ada\"}",
                "7", "{\"id\":\"7\",\"name\":\"Grace\"}");
        final AtomicInteger queries = new AtomicInteger();

        String user(String id) {
            queries.incrementAndGet();
            return users.get(id);
        }
    }

    /** One service instance's view of the cache. */
    static final class UserCache {
        private final ReplicatedMap cache;
        private final SlowDatabase db;
        private final Map<String, Boolean> loadedHere = new ConcurrentHashMap<>();

        UserCache(ReplicatedMap cache, SlowDatabase db) {
            this.cache = cache;
            this.db = db;
        }

        String user(String id) {
            String key = "user:" + id;
            return cache.get(key).orElseGet(() -> {
                String loaded = db.user(id);
                // setAndWait: this instance's next read is a local hit, and every other replica
                // receives the entry through the map's channel
                cache.setAndWait(key, loaded);
                loadedHere.put(id, true);
                return loaded;
            });
        }
    }

    /** Runs the example against {@code redisUri}, printing to {@code out}; returns the exit code. */
    public static int run(PrintStream out, String redisUri) {
        String name = Examples.unique("user-cache");
        SlowDatabase db = new SlowDatabase();
        boolean ok = true;
        try (PulseRedis first = PulseRedis.connect(redisUri);
                PulseRedis second = PulseRedis.connect(redisUri)) {
            ReplicatedMap firstMap = ReplicatedMap.join(name, first);
            ReplicatedMap secondMap = ReplicatedMap.join(name, second);
            UserCache a = new UserCache(firstMap, db);
            UserCache b = new UserCache(secondMap, db);

            out.println("instance A reads user 42: " + a.user("42") + " (database queries: " + db.queries.get() + ")");
            out.println("instance A reads user 42 again: local hit (database queries: " + (a.user("42") != null
                    ? db.queries.get() : -1) + ")");
            ok &= Examples.await(java.time.Duration.ofSeconds(10), () -> secondMap.get("user:42").isPresent());
            out.println("instance B reads user 42: " + b.user("42") + " (database queries: " + db.queries.get() + ")");
            ok &= db.queries.get() == 1;
            out.println("instance B reads user 7: " + b.user("7") + " (database queries: " + db.queries.get() + ")");
            ok &= Examples.await(java.time.Duration.ofSeconds(10), () -> firstMap.get("user:7").isPresent());
            out.println("instance A reads user 7: " + a.user("7") + " (database queries: " + db.queries.get() + ")");
            ok &= db.queries.get() == 2;

            // invalidation reaches every instance
            firstMap.delete("user:42");
            ok &= Examples.await(java.time.Duration.ofSeconds(10), () -> secondMap.get("user:42").isEmpty());
            out.println("user 42 invalidated by A; B no longer has it: " + secondMap.get("user:42").isEmpty());

            out.println(ok ? "distributed cache: all checks passed" : "distributed cache: a check FAILED");
            firstMap.destroy();
            firstMap.close();
            secondMap.close();
            Examples.deleteKeysContaining(first, name);
        }
        return ok ? 0 : 1;
    }
}
