package io.pulse.pool;

import io.pulse.core.ClosedException;
import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.core.internal.DaemonThreads;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.RedisFacade;
import io.pulse.rmap.internal.MapWrites;
import io.pulse.streaming.Sink;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;

/**
 * How a node leaves its pool: on its own ({@code close}: its workers' jobs move to other nodes), with
 * the whole pool ({@code shutdown}: every node stops its jobs, then the pool's state is deleted), or
 * because another node shut the pool down. Each departure runs once; thread-safe.
 */
final class NodeLifecycle {

    private final PoolContext context;
    private final PoolConfig config;
    private final PoolMaps maps;
    private final StateLossRecovery recovery;
    private final LocalWorkers workers;
    private final WorkerDepartures departures;
    private final Dispatcher dispatcher;
    private final NodeResources resources;
    private final Sink poolSink;
    private final AutoCloseable registration;
    private final Logger log;
    private final Object lock = new Object();
    private volatile boolean leaving;
    private volatile boolean left;
    private volatile boolean shutdown;

    /**
     * @param poolSink the sink the node routes through, or {@code null} on a client-only node
     * @param registration what the facade closes with itself (the node): forgotten once it left
     */
    NodeLifecycle(PoolContext context, StateLossRecovery recovery, LocalWorkers workers,
            WorkerDepartures departures, Dispatcher dispatcher, NodeResources resources, Sink poolSink,
            AutoCloseable registration) {
        this.context = context;
        this.config = context.config();
        this.maps = context.maps();
        this.recovery = recovery;
        this.workers = workers;
        this.departures = departures;
        this.dispatcher = dispatcher;
        this.resources = resources;
        this.poolSink = poolSink;
        this.registration = registration;
        this.log = config.log();
    }

    /** Whether the node started to leave: it accepts no more commands. */
    boolean isLeaving() {
        return leaving;
    }

    boolean isLeft() {
        return left;
    }

    boolean isShutdown() {
        return shutdown;
    }

    /** Another node shut the pool down: leave too, off the map's callback thread (leaving blocks). */
    void onShutdownMapChange() {
        if (leaving || maps.shutdown().size() == 0) {
            return;
        }
        DaemonThreads.named("pool-shutdown", config.pool()).newThread(() -> leave(false)).start();
    }

    /**
     * Leaves the pool: the workers stop, their jobs are requeued ({@code requeue}) or stopped for good,
     * waiting dispatches fail, the node's keep-alive, maps, streams and loops are released. Blocking
     * (each handler stop bounded by {@code workerShutdownTtl}); runs once.
     */
    void leave(boolean requeue) {
        synchronized (lock) {
            if (leaving) {
                return;
            }
            leaving = true;
        }
        resources.cancelTasks();
        List<Worker> local = workers.list();
        local.forEach(Worker::stopLoops);
        if (poolSink != null) {
            poolSink.close();
        }
        if (requeue) {
            // all at once: a view with some of them gone and the others still there moves jobs twice
            departures.markRemoving(local);
        }
        for (Worker worker : local) {
            if (requeue) {
                departures.requeueJobs(worker);
            } else {
                departures.stopJobs(worker);
            }
            departures.forget(worker);
            workers.remove(worker);
        }
        dispatcher.failAll(new ClosedException("pool " + config.pool() + ": node " + config.nodeId() + " closed"));
        try {
            maps.nodeKeepAlives().delete(config.nodeId());
            context.liveness().forget(config.nodeId());
        } catch (RuntimeException e) {
            log.atDebug().setCause(e).log("deleting the node keep-alive failed");
        }
        resources.close();
        try {
            context.streams().node().destroy();
        } catch (RuntimeException e) {
            log.atDebug().setCause(e).log("destroying the node stream failed");
        }
        if (!requeue) {
            shutdown = true;
        }
        left = true;
        context.facade().unregister(registration);
        log.atInfo().addKeyValue("pool", config.pool()).addKeyValue("node", config.nodeId())
                .addKeyValue("requeued", requeue).log("node left");
        context.facade().events().nodeLeft(config.pool(), config.nodeId());
    }

    /**
     * Shuts the whole pool down: marks it shutting down, leaves with the jobs stopped, waits (at most
     * {@code workerShutdownTtl}) for the other nodes' workers to leave, then deletes the pool's maps
     * (their destroy tombstones stay), its stream and its incarnation. Blocking; a no-op once leaving.
     */
    void shutdownPool() {
        if (left || leaving) {
            return;
        }
        maps.shutdown().set(PoolCodec.SHUTDOWN_KEY, config.nodeId());
        leave(false);
        long deadline = System.nanoTime() + config.workerShutdownTtl().toNanos();
        while (System.nanoTime() < deadline && !context.view().readMap(context.names().map(PoolMap.WORKERS)).isEmpty()) {
            sleep(Duration.ofMillis(20));
        }
        for (PoolMap map : List.of(PoolMap.NODE_KEEPALIVE, PoolMap.WORKERS, PoolMap.WORKER_KEEPALIVE, PoolMap.CLEANUP,
                PoolMap.JOBS, PoolMap.PENDING_JOBS, PoolMap.JOB_PAYLOADS, PoolMap.TICKERS, PoolMap.KEEPALIVE_TTL,
                PoolMap.SHUTDOWN)) {
            String name = context.names().map(map);
            try {
                // no replica: only the destroy tombstone is written, as a replica's destroy() would
                RedisFacade facade = context.facade();
                Futures.await(MapWrites.of(facade, name).destroy(), facade.syncTimeout(), "destroy map " + name);
            } catch (RuntimeException e) {
                log.atWarn().addKeyValue("map", name).setCause(e).log("destroying a pool map failed");
            }
        }
        context.streams().pool().destroy();
        try {
            recovery.forget();
        } catch (RuntimeException e) {
            log.atWarn().setCause(e).log("deleting the pool's incarnation failed");
        }
        shutdown = true;
        log.atInfo().addKeyValue("pool", config.pool()).addKeyValue("node", config.nodeId()).log("pool shut down");
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
