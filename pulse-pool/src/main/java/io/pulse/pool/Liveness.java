package io.pulse.pool;

import io.pulse.rmap.ReplicatedMap;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * Judges whether a node or worker of the pool is alive by the worker TTL <em>its own</em> node was
 * configured with, not this node's: each Java node publishes its TTL for itself and its workers in
 * the map {@code <pool>:keepalive-ttl}, so nodes with different {@code workerTtl} agree on who is
 * alive and compute the same bucket list. Go nodes publish nothing; for them (and for an entry Redis
 * lost) the TTL assumed is the longer of this node's and Go Pulse's default, 30 s, so a live Go node
 * at its default is never taken for dead. Reads are local; thread-safe.
 */
final class Liveness {

    /** Go Pulse's default worker TTL: what a node that publishes none most likely runs with. */
    static final Duration GO_DEFAULT_TTL = Duration.ofSeconds(30);

    private final ReplicatedMap ttls;
    private final Duration own;
    private final long unpublishedNanos;
    private final Logger log;

    Liveness(ReplicatedMap ttls, Duration own, Logger log) {
        this.ttls = ttls;
        this.own = own;
        this.unpublishedNanos = Math.max(own.toNanos(), GO_DEFAULT_TTL.toNanos());
        this.log = log;
    }

    /** The TTL, in nanoseconds, that node or worker {@code id} is judged by. */
    long ttlNanos(String id) {
        String published = ttls.get(id).orElse(null);
        if (published == null) {
            return unpublishedNanos;
        }
        Long nanos = PoolClock.parseNanos(published);
        if (nanos == null || nanos <= 0) {
            log.atDebug().addKeyValue("id", id).addKeyValue("value", published).log("unreadable keep-alive TTL ignored");
            return unpublishedNanos;
        }
        return nanos;
    }

    /** Whether a keep-alive written at {@code keepAliveNanos} (Unix ns) by {@code id} is still fresh at {@code now}. */
    boolean fresh(String id, Long keepAliveNanos, long now) {
        return keepAliveNanos != null && now - keepAliveNanos <= ttlNanos(id);
    }

    /** Publishes this node's TTL for {@code id} (this node or one of its workers) unless already there. */
    void publish(String id) {
        String value = Long.toString(own.toNanos());
        if (!value.equals(ttls.get(id).orElse(null))) {
            ttls.set(id, value);
        }
    }

    /** Writes this node's TTL for {@code id} whatever the replica shows (it may be stale after a loss). */
    void republish(String id) {
        ttls.set(id, Long.toString(own.toNanos()));
    }

    /** Async {@link #publish}, for keep-alive loops that must not block. */
    void publishAsync(String id) {
        String value = Long.toString(own.toNanos());
        if (!value.equals(ttls.get(id).orElse(null))) {
            ttls.setAsync(id, value).exceptionally(e -> null);
        }
    }

    /** Forgets the TTL of a node or worker that left. */
    void forget(String id) {
        ttls.deleteAsync(id).exceptionally(e -> null);
    }

    ReplicatedMap map() {
        return ttls;
    }
}
