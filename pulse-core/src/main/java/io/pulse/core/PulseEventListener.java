package io.pulse.core;

/**
 * Receives what happens inside the components of one {@link PulseRedis}: map writes and resyncs,
 * stream adds, reads, acknowledgements and redeliveries, pool dispatches, starts and requeues, workers
 * and nodes coming and going, connections dropping and coming back. Every method does nothing by
 * default, so an implementation overrides only what it wants and keeps compiling when later releases
 * add kinds of events.
 *
 * <p><b>Threads.</b> Each method is called synchronously on the thread that observed the event: a
 * Redis I/O thread (writes, adds, acknowledgements, dispatch outcomes, connection changes), the thread
 * of a read or push loop (reads), or a Pulse background thread (resyncs, redeliveries, trims, pool
 * maintenance). An implementation must therefore be thread-safe, fast and must never block: count,
 * time or hand the event to a queue of its own, nothing more. It must not call back into Pulse
 * synchronously.
 *
 * <p><b>Failures.</b> A method should not throw. If one does, Pulse catches the exception, logs it
 * (at most once every few seconds per listener) and goes on as if the listener had returned.
 *
 * <p><b>Arguments</b> are plain values, never null: component names as given by the user, counts,
 * durations in nanoseconds. A listener sees only events of the components opened on its
 * {@code PulseRedis}, in this process.
 *
 * <p>Register one with {@link PulseRedis.Builder#eventListener} or
 * {@link PulseRedis#addEventListener}; several compose.
 */
public interface PulseEventListener {

    /** The listener that ignores everything: what Pulse uses when none is registered. */
    PulseEventListener NONE = new PulseEventListener() {
    };

    /** Which connection of a {@link PulseRedis} dropped or came back. */
    enum ConnectionRole {
        /** The shared, multiplexed command connection. */
        COMMANDS,
        /** The shared subscriber connection of the replicated maps. */
        PUBSUB,
        /** A connection of one blocking read loop (a reader, sink or pool stream). */
        BLOCKING
    }

    /** Why a pool job went back to be started again, on another worker or the same one. */
    enum RequeueReason {
        /** Workers were added or removed and the job's key now hashes to another worker. */
        REBALANCE,
        /** Its worker stopped (its node closed or the worker was removed) and handed the job back. */
        WORKER_LEFT,
        /** Its worker stopped sending keep-alives and was evicted by another node. */
        DEAD_WORKER,
        /** The job's payload was kept but no live worker had the job: it was started again. */
        ORPHAN
    }

    // ---------------------------------------------------------------- replicated maps

    /** This process joined the replicated map {@code map} (its replica is loaded). */
    default void mapJoined(String map) {
    }

    /** This process closed its replica of {@code map}. */
    default void mapLeft(String map) {
    }

    /**
     * A write to {@code map} completed (on a Redis I/O thread).
     *
     * @param op the operation: {@code set}, {@code delete}, {@code inc}, {@code append}, ...
     * @param nanos from the call until Redis answered
     * @param failure the exception's simple class name if the write failed, else {@code ""}
     */
    default void mapWritten(String map, String op, long nanos, String failure) {
    }

    /**
     * The replica of {@code map} re-read the whole hash from Redis after the first snapshot.
     *
     * @param reason why, in words (for logs, not for tags): the subscriber connection was lost, a
     *        revision was missed, the revision went back, changes arrived while a snapshot was read
     */
    default void mapResynced(String map, String reason) {
    }

    /** A change listener of {@code map} was too slow: changes were dropped from its queue. */
    default void mapListenerOverflowed(String map, long dropped) {
    }

    // ---------------------------------------------------------------- streams

    /** An event was added to {@code stream}; {@code nanos} from the call until Redis answered. */
    default void streamAdded(String stream, long nanos) {
    }

    /**
     * {@code count} events of {@code stream} were handed to a reader ({@code sink} is {@code ""}) or to
     * an instance of the sink {@code sink}; called on the reading thread.
     */
    default void streamRead(String stream, String sink, int count) {
    }

    /** The sink {@code sink} acknowledged {@code count} events of {@code stream}. */
    default void streamAcked(String stream, String sink, long count) {
    }

    /**
     * An instance of the sink {@code sink} re-claimed {@code count} events of {@code stream} that another
     * instance left unacknowledged past the grace period; they will be delivered again.
     */
    default void streamRedelivered(String stream, String sink, int count) {
    }

    /** A trimming step removed {@code removed} events from {@code stream}. */
    default void streamTrimmed(String stream, long removed) {
    }

    /** An instance ({@code consumer}) of the sink {@code sink} started consuming {@code stream}. */
    default void sinkJoined(String stream, String sink, String consumer) {
    }

    /** An instance of the sink {@code sink} stopped consuming {@code stream} (closed or removed it). */
    default void sinkLeft(String stream, String sink, String consumer) {
    }

    // ---------------------------------------------------------------- pools

    /** This process's node {@code node} joined the pool {@code pool}. */
    default void nodeJoined(String pool, String node) {
    }

    /** This process's node {@code node} left the pool {@code pool} (closed, or shut the pool down). */
    default void nodeLeft(String pool, String node) {
    }

    /** A worker of this process joined {@code pool}. */
    default void workerAdded(String pool, String worker) {
    }

    /** A worker of this process left {@code pool} (it was closed or its node closed). */
    default void workerRemoved(String pool, String worker) {
    }

    /** This process evicted the worker {@code worker} of {@code pool}: it stopped sending keep-alives. */
    default void workerEvicted(String pool, String worker) {
    }

    /**
     * A dispatch of the job {@code key} to {@code pool} completed on this node.
     *
     * @param nanos from the call until a worker started the job (or the dispatch failed)
     * @param failure the exception's simple class name if it failed, else {@code ""}
     */
    default void jobDispatched(String pool, String key, long nanos, String failure) {
    }

    /**
     * The worker {@code worker} of this process started the job {@code key}; {@code nanos} is how long
     * its handler's {@code start} took.
     */
    default void jobStarted(String pool, String worker, String key, long nanos) {
    }

    /** The worker {@code worker} of this process stopped the job {@code key}. */
    default void jobStopped(String pool, String worker, String key) {
    }

    /** The handler of the worker {@code worker} failed to start the job {@code key}. */
    default void jobFailed(String pool, String worker, String key, String message) {
    }

    /** This process put the job {@code key} of {@code pool} back to be started again. */
    default void jobRequeued(String pool, String key, RequeueReason reason) {
    }

    // ---------------------------------------------------------------- connections

    /** A connection to Redis dropped (not one Pulse closed on purpose). */
    default void redisDisconnected(ConnectionRole role) {
    }

    /** A connection that had dropped is open again; {@code downNanos} is how long it was down. */
    default void redisReconnected(ConnectionRole role, long downNanos) {
    }
}
