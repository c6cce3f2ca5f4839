package io.pulse.pool;

import java.time.Instant;
import java.util.Objects;

/**
 * An immutable job a worker runs, no accessor returning null: its key (unique in the pool), its
 * payload, when it was dispatched, the node that dispatched it, and whether this start moves or
 * recovers a job that already existed (the payload array is not copied: do not change it).
 */
public final class Job {

    private final String key;
    private final byte[] payload;
    private final Instant createdAt;
    private final String nodeId;
    private final boolean requeued;

    Job(String key, byte[] payload, Instant createdAt, String nodeId, boolean requeued) {
        this.key = Objects.requireNonNull(key, "key");
        this.payload = payload == null ? new byte[0] : payload;
        this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.requeued = requeued;
    }

    /**
     * A new job as a worker would be given it, made without Redis, for unit tests of handlers:
     * dispatched now, by no node ({@code nodeId} is {@code ""}), not requeued.
     *
     * @throws NullPointerException if an argument is null
     */
    public static Job of(String key, byte[] payload) {
        return of(key, payload, Instant.now(), "", false);
    }

    /**
     * A job with every field given, made without Redis, for unit tests of handlers (a requeued one,
     * say).
     *
     * @throws NullPointerException if an argument is null
     */
    public static Job of(String key, byte[] payload, Instant createdAt, String nodeId, boolean requeued) {
        return new Job(key, Objects.requireNonNull(payload, "payload"), createdAt, nodeId, requeued);
    }

    /** The job's key. */
    public String key() {
        return key;
    }

    /** The payload given to {@code dispatchJob}; an empty array if none. */
    public byte[] payload() {
        return payload;
    }

    /** When the job was dispatched (or re-dispatched by a recovery). */
    public Instant createdAt() {
        return createdAt;
    }

    /** The node that receives the start result (the dispatching node, or the recovering node). */
    public String nodeId() {
        return nodeId;
    }

    /** Whether this start moves or recovers an existing job rather than admitting a new one. */
    public boolean requeued() {
        return requeued;
    }

    /** The same job marked as moved or recovered. */
    Job asRequeued() {
        return new Job(key, payload, createdAt, nodeId, true);
    }

    /** The same job, re-dispatched by {@code node} now. */
    Job recoveredBy(String node, Instant now) {
        return new Job(key, payload, now, node, true);
    }

    @Override
    public String toString() {
        return "Job[" + key + ", " + payload.length + " bytes, from " + nodeId + (requeued ? ", requeued" : "") + "]";
    }
}
