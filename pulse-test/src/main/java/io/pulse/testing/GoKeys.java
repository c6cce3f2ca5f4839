package io.pulse.testing;

import io.pulse.core.GoPulseLayout;
import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.core.KeyLayout;

/**
 * The names Go Pulse v1.6.5's layout (Pulse's default, {@link GoPulseLayout}) gives maps, streams,
 * sinks and pools, as stateless, thread-safe functions for tests that look at Redis directly or play a
 * Go node.
 */
public final class GoKeys {

    private static final KeyLayout LAYOUT = new GoPulseLayout();

    /** The sink through which full nodes read a pool stream. */
    public static final String POOL_SINK = LAYOUT.poolSinkName();

    private GoKeys() {
    }

    /** The content hash of the replicated map {@code map}. */
    public static String content(String map) {
        return LAYOUT.mapContentKey(map);
    }

    /** The update channel of the replicated map {@code map}. */
    public static String updates(String map) {
        return LAYOUT.mapUpdatesChannel(map);
    }

    /** Same as {@link #content}. */
    public static String mapContent(String map) {
        return content(map);
    }

    /** Same as {@link #updates}. */
    public static String mapUpdates(String map) {
        return updates(map);
    }

    /** The key of the stream {@code stream}. */
    public static String stream(String stream) {
        return LAYOUT.streamKey(stream);
    }

    /** Same as {@link #stream}. */
    public static String streamKey(String stream) {
        return stream(stream);
    }

    public static String sinkRegistryMap(String stream) {
        return LAYOUT.sinkRegistryMap(stream);
    }

    /** The keep-alive map of {@code sink} (Go Pulse's: the same for every stream of the sink). */
    public static String keepAliveMap(String sink) {
        return LAYOUT.sinkKeepAliveMap("", sink);
    }

    /** The claim lease of {@code sink} (Go Pulse's: the same for every stream of the sink). */
    public static String staleLease(String sink) {
        return LAYOUT.sinkLeaseKey("", sink);
    }

    public static String shutdownMap(String pool) {
        return LAYOUT.poolMap(pool, PoolMap.SHUTDOWN);
    }

    public static String nodeKeepAliveMap(String pool) {
        return LAYOUT.poolMap(pool, PoolMap.NODE_KEEPALIVE);
    }

    public static String workersMap(String pool) {
        return LAYOUT.poolMap(pool, PoolMap.WORKERS);
    }

    public static String workerKeepAliveMap(String pool) {
        return LAYOUT.poolMap(pool, PoolMap.WORKER_KEEPALIVE);
    }

    public static String cleanupMap(String pool) {
        return LAYOUT.poolMap(pool, PoolMap.CLEANUP);
    }

    public static String jobsMap(String pool) {
        return LAYOUT.poolMap(pool, PoolMap.JOBS);
    }

    public static String payloadsMap(String pool) {
        return LAYOUT.poolMap(pool, PoolMap.JOB_PAYLOADS);
    }

    public static String pendingMap(String pool) {
        return LAYOUT.poolMap(pool, PoolMap.PENDING_JOBS);
    }

    public static String tickersMap(String pool) {
        return LAYOUT.poolMap(pool, PoolMap.TICKERS);
    }

    public static String keepAliveTtlMap(String pool) {
        return LAYOUT.poolMap(pool, PoolMap.KEEPALIVE_TTL);
    }

    public static String incarnationKey(String pool) {
        return LAYOUT.poolIncarnationKey(pool);
    }

    public static String tickerEntry(String pool, String ticker) {
        return LAYOUT.tickerField(pool, ticker);
    }

    public static String scheduleMap(String pool, String schedule) {
        return LAYOUT.scheduleMap(pool, schedule);
    }

    public static String poolStream(String pool) {
        return LAYOUT.poolStream(pool);
    }

    public static String nodeStream(String pool, String node) {
        return LAYOUT.nodeStream(pool, node);
    }

    /** A worker's stream; Go Pulse's is not namespaced by pool. */
    public static String workerStream(String worker) {
        return LAYOUT.workerStream("", worker);
    }
}
