package io.pulse.pool;

/**
 * Every replicated map, stream and sink name of a pool, in one place. They are Go Pulse's, so Java
 * and Go nodes can share one pool. Stateless.
 */
final class PoolKeys {

    /** The sink all full nodes read the pool stream through. */
    static final String POOL_SINK = "events";
    /** The key of the shutdown map that marks a pool shutting down. */
    static final String SHUTDOWN_KEY = "shutdown";
    /** The value a worker's entry in the workers map takes while it is being removed. */
    static final String REMOVING = "-";

    private PoolKeys() {
    }

    static String shutdownMap(String pool) {
        return pool + ":shutdown";
    }

    static String nodeKeepAliveMap(String pool) {
        return pool + ":node-keepalive";
    }

    static String workersMap(String pool) {
        return pool + ":workers";
    }

    static String workerKeepAliveMap(String pool) {
        return pool + ":worker-keepalive";
    }

    static String cleanupMap(String pool) {
        return pool + ":cleanup";
    }

    static String jobsMap(String pool) {
        return pool + ":jobs";
    }

    static String payloadsMap(String pool) {
        return pool + ":job-payloads";
    }

    static String pendingMap(String pool) {
        return pool + ":pending-jobs";
    }

    static String tickersMap(String pool) {
        return pool + ":tickers";
    }

    /**
     * The map of the worker TTL each node and worker is judged by (id -> nanoseconds). Not in Go
     * Pulse's layout: Go nodes neither write nor read it.
     */
    static String keepAliveTtlMap(String pool) {
        return pool + ":keepalive-ttl";
    }

    /**
     * A string naming the pool's current life in Redis: written once if absent, so a value that
     * changes, or vanishes, tells a node that Redis lost the pool's state. Not in Go Pulse's layout.
     */
    static String incarnationKey(String pool) {
        return "pulse:pool:" + pool + ":incarnation";
    }

    /** The entry of a ticker in the tickers map: {@code <pool>:<ticker>}. */
    static String tickerEntry(String pool, String ticker) {
        return pool + ":" + ticker;
    }

    /** The map of the jobs a schedule started: {@code <pool>:<schedule>}. */
    static String scheduleMap(String pool, String schedule) {
        return pool + ":" + schedule;
    }

    /** Names a schedule may not take: its map would be one of the pool's own maps or streams. */
    static boolean collidesWithPoolNames(String schedule) {
        return RESERVED_SUFFIXES.contains(schedule) || schedule.startsWith("node:");
    }

    private static final java.util.Set<String> RESERVED_SUFFIXES = java.util.Set.of("shutdown", "node-keepalive",
            "workers", "worker-keepalive", "cleanup", "jobs", "job-payloads", "pending-jobs", "tickers", "pool",
            "keepalive-ttl");

    /** The Redis hash of a replicated map. */
    static String mapContent(String mapName) {
        return "map:" + mapName + ":content";
    }

    /** The update channel of a replicated map. */
    static String mapUpdates(String mapName) {
        return "map:" + mapName + ":updates";
    }

    /** The pool stream every dispatch, stop and notification goes through. */
    static String poolStream(String pool) {
        return pool + ":pool";
    }

    /** A node's own stream (worker acks and dispatch results). */
    static String nodeStream(String pool, String nodeId) {
        return pool + ":node:" + nodeId;
    }

    /** A worker's own stream (its routed events); not namespaced by pool, as in Go Pulse. */
    static String workerStream(String workerId) {
        return "worker:" + workerId;
    }

    /** The Redis key of a stream name. */
    static String streamKey(String streamName) {
        return "pulse:stream:" + streamName;
    }
}
