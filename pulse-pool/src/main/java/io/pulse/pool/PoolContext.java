package io.pulse.pool;

import io.pulse.core.internal.RedisFacade;

/**
 * What a node builds when it joins and its parts share: its settings, the facade, the pool's names,
 * maps and streams, how liveness is judged and the view of the pool. A value with no way back to the
 * node; the parts that act for the node (recovery, departures, dispatches) are given separately to
 * those that need them. Immutable.
 */
record PoolContext(PoolConfig config, RedisFacade facade, PoolNames names, PoolMaps maps, PoolStreams streams,
        Liveness liveness, PoolView view) {
}
