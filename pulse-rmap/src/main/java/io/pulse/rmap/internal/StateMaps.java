package io.pulse.rmap.internal;

import io.pulse.core.PulseRedis;
import io.pulse.rmap.ReplicatedMap;
import java.util.Objects;

/**
 * What Pulse's streaming and pool modules may do with replicated maps that users may not: join the
 * maps they keep their own state in (a sink's registry and keep-alives, a pool's workers, jobs, ...),
 * names the public {@link ReplicatedMap#builder} refuses since a user's map of such a name would
 * overwrite that state; and read how many changes a replica applied, to cache what they compute
 * from it. Thread-safe. Not API.
 */
public final class StateMaps {

    private static volatile Access access;

    /** What {@link ReplicatedMap} lets these modules do that its public API does not. */
    public interface Access {
        /** A builder that lets a reserved name through. */
        ReplicatedMap.Builder builder(String name, PulseRedis redis);

        /** The number of changes the local replica of {@code map} applied so far. */
        long changes(ReplicatedMap map);
    }

    private StateMaps() {
    }

    /**
     * Installs the access; {@link ReplicatedMap} calls it once, from its static initializer, so that its
     * public API needs no such door.
     *
     * @throws IllegalStateException if an access is installed already
     */
    public static synchronized void install(Access implementation) {
        if (access != null) {
            throw new IllegalStateException("the state map access is installed already");
        }
        access = Objects.requireNonNull(implementation, "implementation");
    }

    /** Starts configuring a join of the state map {@code name}; validates the name otherwise as usual. */
    public static ReplicatedMap.Builder builder(String name, PulseRedis redis) {
        if (access == null) {
            initialize(ReplicatedMap.class);
        }
        return access.builder(name, redis);
    }

    /**
     * How many times the local content of {@code map} changed so far (each applied change and each
     * re-read of Redis counts): what was computed from the content at one count still holds while the
     * count is the same, so callers cache on it. Cheap: one volatile read.
     */
    public static long changes(ReplicatedMap map) {
        // the map exists, so ReplicatedMap's static initializer has installed the access
        return access.changes(map);
    }

    /** Joins the state map {@code name} with default options; see {@link ReplicatedMap.Builder#join()}. */
    public static ReplicatedMap join(String name, PulseRedis redis) {
        return builder(name, redis).join();
    }

    private static void initialize(Class<?> type) {
        try {
            Class.forName(type.getName(), true, type.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
