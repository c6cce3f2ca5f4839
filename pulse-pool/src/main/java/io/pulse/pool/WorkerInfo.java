package io.pulse.pool;

import java.time.Instant;

/**
 * A worker of a pool as the pool's maps describe it: its id and when it was created (which orders the
 * workers for routing). Immutable.
 *
 * @param id the worker's id (a ULID)
 * @param createdAt when the worker joined the pool
 */
public record WorkerInfo(String id, Instant createdAt) {
}
