package io.pulse.pool;

import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.core.KeyLayout;
import java.nio.charset.StandardCharsets;

/**
 * The names of one pool's maps, streams and keys, as the layout of the node's {@link
 * io.pulse.core.PulseRedis} spells them: the only place the pool module asks for a name. Immutable.
 *
 * @param pool the pool's name
 * @param layout the layout every node of the pool uses
 */
record PoolNames(String pool, KeyLayout layout) {

    /** The name of one of the pool's replicated maps. */
    String map(PoolMap map) {
        return layout.poolMap(pool, map);
    }

    /** The hash of one of the pool's replicated maps (for scripts that write it directly). */
    byte[] mapContentKey(PoolMap map) {
        return bytes(layout.mapContentKey(map(map)));
    }

    /** The update channel of one of the pool's replicated maps. */
    byte[] mapUpdatesChannel(PoolMap map) {
        return bytes(layout.mapUpdatesChannel(map(map)));
    }

    String poolStream() {
        return layout.poolStream(pool);
    }

    byte[] poolStreamKey() {
        return bytes(layout.streamKey(poolStream()));
    }

    String poolSink() {
        return layout.poolSinkName();
    }

    String nodeStream(String node) {
        return layout.nodeStream(pool, node);
    }

    String workerStream(String worker) {
        return layout.workerStream(pool, worker);
    }

    String tickerField(String ticker) {
        return layout.tickerField(pool, ticker);
    }

    String scheduleMap(String schedule) {
        return layout.scheduleMap(pool, schedule);
    }

    byte[] incarnationKey() {
        return bytes(layout.poolIncarnationKey(pool));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
