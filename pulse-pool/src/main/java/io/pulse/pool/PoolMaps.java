package io.pulse.pool;

import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.rmap.ReplicatedMap;
import java.util.function.Function;

/**
 * The replicated maps a node joined, as one value built when it joins. A client-only node joins only
 * the first three; the others are {@code null} on it. Immutable (the maps themselves are thread-safe).
 *
 * @param shutdown present entries mean the pool shuts down
 * @param nodeKeepAlives node id -> its last keep-alive
 * @param keepAliveTtls node or worker id -> the worker TTL it is judged by (see {@link Liveness})
 * @param workers worker id -> its creation time, or the removal marker
 * @param workerKeepAlives worker id -> its last keep-alive
 * @param cleanup cleanup locks of dead workers and orphaned jobs
 * @param jobs worker id -> the keys of its jobs
 * @param payloads job key -> payload (read; for the exact bytes read Redis; workers write them byte for
 *     byte with {@code record_job}, since they need not be text)
 * @param pending job key -> its dispatch guard's deadline
 * @param tickers ticker field -> its next tick and interval
 */
record PoolMaps(ReplicatedMap shutdown, ReplicatedMap nodeKeepAlives, ReplicatedMap keepAliveTtls,
        ReplicatedMap workers, ReplicatedMap workerKeepAlives, ReplicatedMap cleanup, ReplicatedMap jobs,
        ReplicatedMap payloads, ReplicatedMap pending, ReplicatedMap tickers) {

    /** The maps of a client-only node: the three every node joins. */
    static PoolMaps clientOnly(ReplicatedMap shutdown, ReplicatedMap nodeKeepAlives, ReplicatedMap keepAliveTtls) {
        return new PoolMaps(shutdown, nodeKeepAlives, keepAliveTtls, null, null, null, null, null, null, null);
    }

    /** The maps of a full node: the three every node joins and the others, joined now with {@code join}. */
    static PoolMaps full(ReplicatedMap shutdown, ReplicatedMap nodeKeepAlives, ReplicatedMap keepAliveTtls,
            Function<PoolMap, ReplicatedMap> join) {
        ReplicatedMap workers = join.apply(PoolMap.WORKERS);
        ReplicatedMap jobs = join.apply(PoolMap.JOBS);
        ReplicatedMap payloads = join.apply(PoolMap.JOB_PAYLOADS);
        ReplicatedMap workerKeepAlives = join.apply(PoolMap.WORKER_KEEPALIVE);
        ReplicatedMap cleanup = join.apply(PoolMap.CLEANUP);
        ReplicatedMap pending = join.apply(PoolMap.PENDING_JOBS);
        ReplicatedMap tickers = join.apply(PoolMap.TICKERS);
        return new PoolMaps(shutdown, nodeKeepAlives, keepAliveTtls, workers, workerKeepAlives, cleanup, jobs,
                payloads, pending, tickers);
    }
}
