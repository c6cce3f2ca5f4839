package io.pulse.pool;

import java.time.Duration;
import java.util.concurrent.Executor;
import org.slf4j.Logger;

/**
 * The settings of one node, fixed when it joins. Immutable.
 *
 * @param pool the pool's name
 * @param nodeId the node's id (a ULID)
 * @param clientOnly whether the node only dispatches, stops and notifies (no workers, no routing)
 * @param workerTtl how long a silent node or worker of this node stays alive
 * @param workerShutdownTtl the longest a handler's stop may take when workers leave
 * @param maxQueuedJobs the most dispatches in flight (0: no limit)
 * @param ackGrace how long a routed event may stay unacknowledged
 * @param sinkBlock the block time of the node's reads
 * @param executor where handler calls run, or {@code null} for the threads the node's workers share
 * @param log where the node and its parts log
 * @param hasher how a job key picks its worker
 */
record PoolConfig(String pool, String nodeId, boolean clientOnly, Duration workerTtl, Duration workerShutdownTtl,
        int maxQueuedJobs, Duration ackGrace, Duration sinkBlock, Executor executor, Logger log, KeyHasher hasher) {

    /** How long a dispatch waits for its start result: twice the ack grace period. */
    Duration dispatchWait() {
        return ackGrace.multipliedBy(2);
    }
}
