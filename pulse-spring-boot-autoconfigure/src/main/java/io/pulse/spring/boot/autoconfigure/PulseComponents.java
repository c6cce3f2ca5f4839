package io.pulse.spring.boot.autoconfigure;

import io.pulse.core.PulseRedis;
import io.pulse.pool.Node;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.streaming.Stream;

/**
 * Builds the maps, streams and nodes declared in properties, applying only the options that are set so
 * that everything else keeps Pulse's defaults. Stateless.
 */
final class PulseComponents {

    private PulseComponents() {
    }

    /** Joins map {@code name}; blocks until its replica is loaded. */
    static ReplicatedMap map(String name, MapOptions options, PulseRedis redis) {
        options.requireOneTtl("pulse.maps." + name);
        ReplicatedMap.Builder b = ReplicatedMap.builder(name, redis);
        if (options.getTtl() != null) {
            b.ttl(options.getTtl());
        }
        if (options.getSlidingTtl() != null) {
            b.slidingTtl(options.getSlidingTtl());
        }
        if (options.getSetAndWaitTimeout() != null) {
            b.setAndWaitTimeout(options.getSetAndWaitTimeout());
        }
        return b.join();
    }

    /** Opens a handle on stream {@code name}; no I/O. */
    static Stream stream(String name, StreamOptions options, PulseRedis redis) {
        options.requireOneTtl("pulse.streams." + name);
        Stream.Builder b = Stream.builder(name, redis);
        if (options.getMaxLen() != null) {
            b.maxLen(options.getMaxLen());
        }
        if (options.getTtl() != null) {
            b.ttl(options.getTtl());
        }
        if (options.getSlidingTtl() != null) {
            b.slidingTtl(options.getSlidingTtl());
        }
        return b.open();
    }

    /** Joins pool {@code name}; blocks until the node's maps, streams and loops are up. */
    static Node node(String name, PoolOptions options, PulseRedis redis) {
        Node.Builder b = Node.builder(name, redis);
        if (options.isClientOnly()) {
            b.clientOnly();
        }
        if (options.getWorkerTtl() != null) {
            b.workerTtl(options.getWorkerTtl());
        }
        if (options.getWorkerShutdownTtl() != null) {
            b.workerShutdownTtl(options.getWorkerShutdownTtl());
        }
        if (options.getMaxQueuedJobs() != null) {
            b.maxQueuedJobs(options.getMaxQueuedJobs());
        }
        if (options.getAckGracePeriod() != null) {
            b.ackGracePeriod(options.getAckGracePeriod());
        }
        if (options.getJobSinkBlockDuration() != null) {
            b.jobSinkBlockDuration(options.getJobSinkBlockDuration());
        }
        return b.join();
    }
}
