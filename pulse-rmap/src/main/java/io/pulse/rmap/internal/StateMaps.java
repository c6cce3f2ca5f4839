package io.pulse.rmap.internal;

import io.pulse.core.PulseRedis;
import io.pulse.rmap.ReplicatedMap;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * How Pulse's streaming and pool modules join the replicated maps they keep their own state in
 * (a sink's registry and keep-alives, a pool's workers, jobs, ...): names the public
 * {@link ReplicatedMap#builder} refuses, since a user's map of such a name would overwrite that state.
 * Thread-safe. Not API.
 */
public final class StateMaps {

    private static volatile BiFunction<String, PulseRedis, ReplicatedMap.Builder> builders;

    private StateMaps() {
    }

    /**
     * Installs the factory of builders that let reserved names through; {@link ReplicatedMap} calls it
     * once, from its static initializer, so that its public API needs no such door.
     *
     * @throws IllegalStateException if a factory is installed already
     */
    public static synchronized void install(BiFunction<String, PulseRedis, ReplicatedMap.Builder> factory) {
        if (builders != null) {
            throw new IllegalStateException("the state map builder factory is installed already");
        }
        builders = Objects.requireNonNull(factory, "factory");
    }

    /** Starts configuring a join of the state map {@code name}; validates the name otherwise as usual. */
    public static ReplicatedMap.Builder builder(String name, PulseRedis redis) {
        if (builders == null) {
            initialize(ReplicatedMap.class);
        }
        return builders.apply(name, redis);
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
