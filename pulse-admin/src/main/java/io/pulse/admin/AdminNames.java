package io.pulse.admin;

import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.core.KeyLayout;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The keys, channels and names the operator tools read and write, all asked of the layout of the
 * {@link io.pulse.core.PulseRedis} they were given (Go Pulse's by default, so Java and Go deployments
 * are read alike): the layout's names composed into the keys the tools look at. Immutable and
 * thread-safe.
 */
final class AdminNames {

    /** The maps whose presence alone shows a pool exists. */
    static final Set<PoolMap> POOL_MARKERS = EnumSet.of(PoolMap.NODE_KEEPALIVE, PoolMap.WORKERS, PoolMap.JOB_PAYLOADS);

    private final KeyLayout layout;

    AdminNames(KeyLayout layout) {
        this.layout = layout;
    }

    KeyLayout layout() {
        return layout;
    }

    /** The content hash of one of {@code pool}'s maps. */
    String poolMapKey(String pool, PoolMap map) {
        return layout.mapContentKey(layout.poolMap(pool, map));
    }

    /** The update channel of one of {@code pool}'s maps. */
    String poolMapChannel(String pool, PoolMap map) {
        return layout.mapUpdatesChannel(layout.poolMap(pool, map));
    }

    String poolStreamKey(String pool) {
        return layout.streamKey(layout.poolStream(pool));
    }

    String nodeStreamKey(String pool, String node) {
        return layout.streamKey(layout.nodeStream(pool, node));
    }

    String workerStreamKey(String pool, String worker) {
        return layout.streamKey(layout.workerStream(pool, worker));
    }

    /** The pool a map shows to exist, if {@code map} is one of the maps only a pool has. */
    Optional<String> poolMarkedBy(String map) {
        return layout.poolMapOf(map).filter(m -> POOL_MARKERS.contains(m.map())).map(KeyLayout.PoolMapName::pool);
    }

    /** Whether {@code map} belongs to a pool of {@code pools}. */
    boolean isPoolMap(String map, Set<String> pools) {
        return layout.poolMapOf(map).filter(m -> pools.contains(m.pool())).isPresent();
    }

    /** Whether a stream is one of the pools' own: a pool's stream, a node's of one of {@code pools}, a worker's. */
    boolean isPoolInternalStream(String stream, Set<String> pools) {
        return layout.isWorkerStream(stream) || layout.poolOfPoolStream(stream).filter(pools::contains).isPresent()
                || layout.poolOfNodeStream(stream).filter(pools::contains).isPresent();
    }
}
