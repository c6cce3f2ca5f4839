package io.pulse.core;

import java.util.Optional;

/**
 * Every Redis key, pub/sub channel, replicated-map name and stream name Pulse uses, in one object:
 * every module asks the layout of its {@link PulseRedis} and spells no name itself. Implementations
 * are stateless and thread-safe; every method is a pure function of its arguments and never returns
 * null.
 *
 * <p>The default, {@link GoPulseLayout}, is Go Pulse v1.6.5's layout, the only one Go nodes
 * understand. Another layout (say one whose names share a Redis Cluster hash slot per map, stream or
 * pool) is a new implementation given to {@link PulseRedis.Builder#layout(KeyLayout)}; every process
 * sharing a map, stream or pool must use the same layout. Names passed in are valid Pulse names
 * (checked by the callers); the layout only arranges them.
 *
 * <p>Maps and streams are named twice: a component's <em>name</em> (the replicated map
 * {@code stream:orders:sinks}, the stream {@code orders:pool}) and the Redis <em>keys</em> made of it
 * ({@link #mapContentKey}, {@link #streamKey}). Methods that return map or stream names leave the
 * keys to those two.
 */
public interface KeyLayout {

    /** The replicated maps a worker pool keeps its state in. */
    enum PoolMap {
        /** Present while the pool shuts down. */
        SHUTDOWN,
        /** Node id -> its last keep-alive. */
        NODE_KEEPALIVE,
        /** Worker id -> its creation time (or a removal marker). */
        WORKERS,
        /** Worker id -> its last keep-alive. */
        WORKER_KEEPALIVE,
        /** Cleanup locks of dead workers and orphaned jobs. */
        CLEANUP,
        /** Worker id -> the keys of the jobs it runs. */
        JOBS,
        /** Job key -> its payload. */
        JOB_PAYLOADS,
        /** Job key -> the deadline of its dispatch guard. */
        PENDING_JOBS,
        /** Ticker -> its next tick and interval. */
        TICKERS,
        /** Node or worker id -> the worker TTL it is judged by (Java nodes only). */
        KEEPALIVE_TTL
    }

    /** A map name recognised as one of a pool's own maps. */
    record PoolMapName(String pool, PoolMap map) {
    }

    /**
     * Whether map updates go over sharded pub/sub ({@code SPUBLISH}/{@code SSUBSCRIBE}, Redis 7), which
     * a Redis Cluster fans out within the shard of the channel's slot only. Default {@code false}: plain
     * {@code PUBLISH}/{@code SUBSCRIBE}, as Go Pulse does.
     */
    default boolean shardedPubSub() {
        return false;
    }

    // ---------------------------------------------------------------- replicated maps

    /** The hash holding the content of the replicated map {@code map}. */
    String mapContentKey(String map);

    /** The pub/sub channel on which every change of the replicated map {@code map} is published. */
    String mapUpdatesChannel(String map);

    /**
     * Whether {@code map} has the shape of a map Pulse keeps the state of its streams, sinks and pools
     * in: a user's map of that name would overwrite that state or be overwritten by it.
     */
    boolean isReservedMapName(String map);

    // ---------------------------------------------------------------- streams and sinks

    /** The Redis stream of the event stream {@code stream}. */
    String streamKey(String stream);

    /** The stream name whose {@link #streamKey} is {@code streamKey}; a key not made so is returned as is. */
    String streamName(String streamKey);

    /** The replicated map listing, per sink name, the consumers reading {@code stream}. */
    String sinkRegistryMap(String stream);

    /**
     * The replicated map of the keep-alives of the consumers of {@code sink} reading {@code stream}. A
     * layout may return one map for every stream of a sink (Go Pulse's does): callers keep one per
     * distinct name.
     */
    String sinkKeepAliveMap(String stream, String sink);

    /**
     * The key of the short lease electing which instance of {@code sink} re-claims idle events of
     * {@code stream}. A layout may return one key for every stream of a sink: callers take each
     * distinct lease once per round.
     */
    String sinkLeaseKey(String stream, String sink);

    // ---------------------------------------------------------------- worker pools

    /** The name of one of the replicated maps of {@code pool}. */
    String poolMap(String pool, PoolMap map);

    /** The name of the stream every dispatch, stop and notification of {@code pool} goes through. */
    String poolStream(String pool);

    /** The sink (consumer group) through which every full node reads the pool stream. */
    String poolSinkName();

    /** The name of the stream of node {@code node} of {@code pool} (worker acks, dispatch results). */
    String nodeStream(String pool, String node);

    /** The name of the stream of worker {@code worker} of {@code pool} (the events routed to it). */
    String workerStream(String pool, String worker);

    /** The name of the replicated map of the jobs the schedule {@code schedule} of {@code pool} started. */
    String scheduleMap(String pool, String schedule);

    /** The field of the ticker {@code ticker} in the {@link PoolMap#TICKERS} map of {@code pool}. */
    String tickerField(String pool, String ticker);

    /** The key holding the id of the current life of {@code pool} in Redis (Java nodes only). */
    String poolIncarnationKey(String pool);

    /** Whether a schedule may not take the name {@code schedule}: its map would be one of the pool's own. */
    boolean isReservedScheduleName(String schedule);

    // ---------------------------------------------------------------- recognising names in a keyspace

    /** A {@code SCAN} pattern matching the content hash of every replicated map. */
    String mapContentKeyPattern();

    /** The map whose {@link #mapContentKey} is {@code key}, if it is one. */
    Optional<String> mapOfContentKey(String key);

    /** A {@code SCAN} pattern matching every stream key. */
    String streamKeyPattern();

    /** The stream whose {@link #streamKey} is {@code key}, if it is one. */
    Optional<String> streamOfKey(String key);

    /** Whether {@code map} is one of the maps streams keep their sinks' state in (registries, keep-alives). */
    boolean isStreamStateMap(String map);

    /** The pool and kind of {@code map}, if it is one of a pool's own maps. */
    Optional<PoolMapName> poolMapOf(String map);

    /** The pool whose {@link #poolStream} is {@code stream}, if it is one. */
    Optional<String> poolOfPoolStream(String stream);

    /** The pool of a {@link #nodeStream}, if {@code stream} has the shape of one. */
    Optional<String> poolOfNodeStream(String stream);

    /** Whether {@code stream} has the shape of a {@link #workerStream}. */
    boolean isWorkerStream(String stream);

    /** The ticker whose {@link #tickerField} in {@code pool}'s tickers map is {@code field}, if it is one. */
    Optional<String> tickerOfField(String pool, String field);
}
