package io.pulse.pool;

/** Picks a job key's bucket among the active workers: {@link JumpHash} in production, others in tests. */
@FunctionalInterface
interface KeyHasher {

    /** The bucket in {@code [0, buckets)} of {@code key}. */
    int bucket(String key, int buckets);
}
