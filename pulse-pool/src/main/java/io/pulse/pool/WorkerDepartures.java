package io.pulse.pool;

import io.lettuce.core.ScriptOutputType;
import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.core.PulseEventListener;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.RedisFacade;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * How a node's workers leave: requeued (their jobs stopped here and started elsewhere), stopped for
 * good (the pool shuts down), or evicted (another node took them for dead and requeued their jobs).
 * Every handler {@code stop} of one departure shares a single {@code workerShutdownTtl} deadline, so a
 * stop that hangs cannot hold the node longer than that. Thread-safe.
 */
final class WorkerDepartures {

    private final PoolConfig config;
    private final RedisFacade facade;
    private final PoolNames names;
    private final PoolMaps maps;
    private final Stream poolStream;
    private final Liveness liveness;
    private final Logger log;

    WorkerDepartures(PoolContext context) {
        this.config = context.config();
        this.log = config.log();
        this.names = context.names();
        this.facade = context.facade();
        this.liveness = context.liveness();
        this.poolStream = context.streams().pool();
        this.maps = context.maps();
    }

    /**
     * Marks the workers as leaving ({@code -} in the workers map) in one step, so every node sees them
     * all leave at once and routes nothing more to them.
     */
    void markRemoving(List<Worker> leaving) {
        if (leaving.isEmpty()) {
            return;
        }
        byte[][] keys = {names.mapContentKey(PoolMap.WORKERS),
            names.mapUpdatesChannel(PoolMap.WORKERS)};
        byte[][] ids = leaving.stream().map(w -> bytes(w.id())).toArray(byte[][]::new);
        try {
            Futures.await(PoolScripts.MARK_REMOVING.<Long>run(facade, ScriptOutputType.INTEGER, keys, ids),
                    facade.syncTimeout(), "pool " + config.pool() + ": mark workers as leaving");
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("pool", config.pool()).setCause(e)
                    .log("marking workers as leaving failed; their jobs are requeued anyway");
        }
    }

    /** Moves each job of a worker marked as leaving: stop here, start elsewhere. */
    void requeueJobs(Worker worker) {
        long deadline = System.nanoTime() + config.workerShutdownTtl().toNanos();
        for (Job job : new ArrayList<>(worker.runningJobs().values())) {
            if (worker.release(job.key(), remaining(deadline)) == null) {
                continue; // stopped meanwhile: nothing to requeue
            }
            try {
                poolStream.add(EventKind.START.code(), PoolCodec.job(job.asRequeued()));
                log.atInfo().addKeyValue("pool", config.pool()).addKeyValue("job", job.key())
                        .addKeyValue("from", worker.id()).log("requeued job: its worker is leaving");
                facade.events().jobRequeued(config.pool(), job.key(), PulseEventListener.RequeueReason.WORKER_LEFT);
            } catch (RuntimeException e) {
                log.atError().addKeyValue("job", job.key()).setCause(e)
                        .log("requeueing a job failed; the orphan recovery will pick it up");
            }
        }
    }

    /** Stops every job of the worker for good (pool shutdown): nothing is requeued, payloads go. */
    void stopJobs(Worker worker) {
        long deadline = System.nanoTime() + config.workerShutdownTtl().toNanos();
        for (String key : worker.jobKeys()) {
            if (worker.release(key, remaining(deadline)) == null) {
                continue;
            }
            maps.payloads().deleteAsync(key);
            log.atInfo().addKeyValue("pool", config.pool()).addKeyValue("job", key).log("stopped job: pool shut down");
        }
    }

    /**
     * Stops a local worker that another node removed from the pool: its jobs were requeued elsewhere,
     * so each is stopped here to avoid running twice.
     */
    void evict(Worker worker) {
        worker.retire();
        long deadline = System.nanoTime() + config.workerShutdownTtl().toNanos();
        for (String key : worker.jobKeys()) {
            worker.release(key, remaining(deadline));
            log.atInfo().addKeyValue("pool", config.pool()).addKeyValue("worker", worker.id()).addKeyValue("job", key)
                    .log("stopped job of an evicted worker");
        }
    }

    /** Removes the worker's entries from the pool's maps and destroys its stream. */
    void forget(Worker worker) {
        worker.retire();
        deleteEntries(worker.id());
        try {
            worker.stream().destroy();
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("worker", worker.id()).setCause(e).log("destroying a worker's stream failed");
        }
        facade.events().workerRemoved(config.pool(), worker.id());
    }

    /** Deletes a worker from the workers, keep-alive, cleanup and jobs maps (never its jobs' payloads). */
    void deleteEntries(String workerId) {
        List<CompletableFuture<?>> deletes = new ArrayList<>();
        deletes.add(maps.workers().deleteAsync(workerId));
        deletes.add(maps.workerKeepAlives().deleteAsync(workerId));
        deletes.add(maps.cleanup().deleteAsync(workerId));
        deletes.add(maps.jobs().deleteAsync(workerId));
        liveness.forget(workerId);
        try {
            CompletableFuture.allOf(deletes.toArray(new CompletableFuture[0]))
                    .get(facade.syncTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.atWarn().addKeyValue("worker", workerId).setCause(e).log("removing a worker's entries failed");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
}
