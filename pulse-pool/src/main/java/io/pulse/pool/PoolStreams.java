package io.pulse.pool;

import io.pulse.core.PulseRedis;
import io.pulse.streaming.Stream;

/**
 * The streams of a node: the pool stream every dispatch, stop and notification goes through, the
 * node's own stream, and handles on any worker's or node's stream. Immutable; opening a handle does no
 * I/O.
 *
 * @param pool the pool stream (never trimmed but of acknowledged events)
 * @param node this node's stream (acks of the events it routed, results of its dispatches)
 * @param names the pool's names
 * @param redis the facade handles are opened on
 */
record PoolStreams(Stream pool, Stream node, PoolNames names, PulseRedis redis) {

    /** A handle on the stream of worker {@code workerId}. */
    Stream worker(String workerId) {
        return Stream.open(names.workerStream(workerId), redis);
    }

    /** A handle on the stream of node {@code nodeId}. */
    Stream ofNode(String nodeId) {
        return Stream.open(names.nodeStream(nodeId), redis);
    }
}
