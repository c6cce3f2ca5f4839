package io.pulse.pool;

import io.lettuce.core.ScriptOutputType;
import io.pulse.core.PulseEventListener;
import io.pulse.core.internal.DaemonThreads;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.RedisFacade;
import io.pulse.core.internal.Ulid;
import io.pulse.rmap.MapEvent;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.streaming.AddOptions;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

/**
 * What keeps a pool's jobs running when processes die or the pool changes shape, run by every node
 * on one thread of its own (never a Redis I/O thread, never blocking the shared scheduler):
 * <ul>
 *   <li>rebalancing: when the set of active workers changes, each local job whose key now hashes to
 *       another worker is stopped here and started there; a local worker another node evicted has its
 *       jobs stopped, so nothing runs twice;</li>
 *   <li>dead workers (keep-alive older than the worker TTL): one node, holding the worker's cleanup
 *       lock, requeues its jobs and removes it;</li>
 *   <li>orphaned payloads (a job nobody owns for a grace period): requeued once, under a lock;</li>
 *   <li>dead nodes' streams, expired dispatch guards, and trimming of acknowledged pool events.</li>
 * </ul>
 * Every step logs what it does with the job key, so an operator can follow a job.
 */
final class PoolMaintenance implements AutoCloseable {

    private static final String ORPHAN_LOCK = "orphan:";
    /**
     * How long the set of active workers must stay unchanged before local jobs move for it (a
     * twentieth of the worker TTL, within these bounds): a node whose workers leave in separate writes
     * a moment apart would otherwise make jobs move for a view that is already stale.
     */
    private static final Duration MIN_SETTLE = Duration.ofMillis(20);
    private static final Duration MAX_SETTLE = Duration.ofMillis(500);

    private final PoolConfig config;
    private final String pool;
    private final RedisFacade redis;
    private final PoolMaps maps;
    private final PoolStreams streams;
    private final PoolView view;
    private final Liveness liveness;
    private final StateLossRecovery recovery;
    private final LocalWorkers workers;
    private final WorkerDepartures departures;
    private final Dispatcher dispatcher;
    private final Logger log;
    private final ExecutorService thread;
    private final AtomicBoolean rebalanceQueued = new AtomicBoolean();
    private final Map<String, Long> orphansSeen = new HashMap<>();
    private final long settleNanos;
    private List<String> lastActive = List.of();
    private long lastChange = System.nanoTime();
    /** The set of active workers the local jobs were last placed for. */
    private List<String> placedFor;
    private volatile boolean closed;

    PoolMaintenance(PoolContext context, StateLossRecovery recovery, LocalWorkers workers,
            WorkerDepartures departures, Dispatcher dispatcher) {
        this.config = context.config();
        this.pool = config.pool();
        this.redis = context.facade();
        this.maps = context.maps();
        this.streams = context.streams();
        this.view = context.view();
        this.liveness = context.liveness();
        this.recovery = recovery;
        this.workers = workers;
        this.departures = departures;
        this.dispatcher = dispatcher;
        this.log = config.log();
        this.thread = Executors.newSingleThreadExecutor(DaemonThreads.named("pool", pool + "-maintenance"));
        long settle = config.workerTtl().toNanos() / 20;
        this.settleNanos = Math.max(MIN_SETTLE.toNanos(), Math.min(MAX_SETTLE.toNanos(), settle));
    }

    /**
     * Starts the node's periodic work on the facade's scheduler (each run on the maintenance thread,
     * skipped while one is queued or once {@code leaving}), and the map subscriptions that make it
     * check sooner; what it registers is released with {@code resources}.
     */
    void start(NodeResources resources, BooleanSupplier leaving) {
        // a re-read of the keep-alives (after a reconnection, or a revision that went back) is the
        // earliest hint that Redis may have lost the pool's state
        resources.add(maps.nodeKeepAlives().subscribe(e -> {
            if (e.kind() == MapEvent.Kind.RESYNC) {
                submit(recovery::checkAndRecover);
            }
        }));
        Duration ttl = config.workerTtl();
        every(ttl.dividedBy(2), this::keepNodeAlive, resources, leaving);
        every(ttl, this::removeDeadNodes, resources, leaving);
        if (config.clientOnly()) {
            return;
        }
        every(config.ackGrace(), this::trimPoolStream, resources, leaving);
        every(config.ackGrace(), this::removeExpiredGuards, resources, leaving);
        every(ttl.dividedBy(2), this::removeDeadWorkers, resources, leaving);
        every(ttl, this::requeueOrphans, resources, leaving);
        every(ttl.dividedBy(2), this::requestRebalance, resources, leaving);
        resources.add(maps.workers().subscribe(e -> requestRebalance()));
        resources.add(maps.workerKeepAlives().subscribe(e -> {
            if (e.kind() != MapEvent.Kind.CHANGE || !maps.workers().keys().isEmpty()) {
                requestRebalance();
            }
        }));
    }

    private void every(Duration period, Runnable task, NodeResources resources, BooleanSupplier leaving) {
        long ms = Math.max(1, period.toMillis());
        AtomicBoolean queued = new AtomicBoolean();
        resources.addTask(redis.scheduler().scheduleWithFixedDelay(() -> {
            if (!leaving.getAsBoolean() && queued.compareAndSet(false, true)) {
                submit(() -> {
                    queued.set(false);
                    task.run();
                });
            }
        }, ms, ms, TimeUnit.MILLISECONDS));
    }

    /** Queues a rebalance check (coalesced: many notifications make one check). */
    void requestRebalance() {
        if (closed || !rebalanceQueued.compareAndSet(false, true)) {
            return;
        }
        submit(() -> {
            rebalanceQueued.set(false);
            rebalance();
        });
    }

    /** Runs {@code task} on the maintenance thread; logs its failures. */
    void submit(Runnable task) {
        if (closed) {
            return;
        }
        try {
            thread.execute(() -> {
                if (closed) {
                    return;
                }
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.atWarn().addKeyValue("pool", pool).addKeyValue("node", config.nodeId()).setCause(e)
                            .log("pool maintenance step failed; it runs again on its next period");
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    // ------------------------------------------------------------------ rebalancing

    private void rebalance() {
        recovery.observeWorkersRevision();
        evictLocalWorkersRemovedElsewhere();
        List<String> active = view.activeWorkers();
        long now = System.nanoTime();
        if (!active.equals(lastActive)) {
            log.atInfo().addKeyValue("pool", pool).addKeyValue("node", config.nodeId()).addKeyValue("workers", active.size())
                    .log("active workers changed; rebalancing local jobs once the set settles");
            lastActive = active;
            lastChange = now;
            recheckIn(settleNanos);
            return;
        }
        long stableFor = now - lastChange;
        if (stableFor < settleNanos) {
            recheckIn(settleNanos - stableFor);
            return;
        }
        if (active.equals(placedFor) && stableFor < config.workerTtl().toNanos() / 2) {
            // the moves for this set are done; other nodes may not see it yet, so stray placements
            // are only fixed once it has been stable a while
            return;
        }
        placedFor = active;
        // when the set has been stable a while, this also moves jobs a router with a lagging view
        // (during churn, or around a Redis outage) sent to a worker their key does not hash to
        if (!active.isEmpty()) {
            moveMisplacedJobs(active);
        }
    }

    /** Moves each local job whose key hashes to another worker, each move checked on the current view. */
    private void moveMisplacedJobs(List<String> active) {
        for (Worker worker : workers.list()) {
            if (worker.isStopped() || !active.contains(worker.id())) {
                continue;
            }
            for (Job job : new ArrayList<>(worker.runningJobs().values())) {
                String target = active.get(config.hasher().bucket(job.key(), active.size()));
                if (target.equals(worker.id())) {
                    continue;
                }
                if (!view.activeWorkers().equals(active)) {
                    // the set changed while moving (a handler's stop takes time): decide the remaining
                    // moves on the new set once it settles
                    requestRebalance();
                    return;
                }
                if (worker.release(job.key(), config.workerShutdownTtl()) == null) {
                    continue; // stopped meanwhile: nothing to move
                }
                try {
                    streams.pool().add(EventKind.START.code(), PoolCodec.job(job.asRequeued()));
                    log.atInfo().addKeyValue("pool", pool).addKeyValue("job", job.key()).addKeyValue("from", worker.id())
                            .addKeyValue("to", target).log("requeued job: it now hashes to another worker");
                    redis.events().jobRequeued(pool, job.key(), PulseEventListener.RequeueReason.REBALANCE);
                } catch (RuntimeException e) {
                    log.atError().addKeyValue("job", job.key()).setCause(e)
                            .log("requeueing a moved job failed; the orphan recovery will start it again");
                }
            }
        }
    }

    private void recheckIn(long nanos) {
        try {
            redis.scheduler().schedule(this::requestRebalance, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /**
     * A local worker that another node removed from the pool (it took it for dead) stops its jobs;
     * one that Redis lost (with the rest of the pool's state) registers again with them instead.
     */
    private void evictLocalWorkersRemovedElsewhere() {
        Map<String, String> registered = maps.workers().snapshot();
        boolean lossChecked = false;
        for (Worker worker : workers.list()) {
            if (worker.isStopped() || !worker.isRegistered() || registered.containsKey(worker.id())) {
                continue;
            }
            if (!lossChecked) {
                lossChecked = true;
                if (recovery.explainsMissingWorker()) {
                    return;
                }
            }
            log.atWarn().addKeyValue("pool", pool).addKeyValue("worker", worker.id())
                    .log("another node removed this worker from the pool; stopping its jobs");
            if (workers.remove(worker)) {
                departures.evict(worker);
            }
        }
    }

    // ------------------------------------------------------------------ dead workers

    /** Requeues the jobs of workers whose keep-alive is older than the worker TTL, then removes them. */
    void removeDeadWorkers() {
        if (redis.connectedFor().compareTo(config.workerTtl()) < 0) {
            // Redis was unreachable a moment ago: nobody could refresh a keep-alive meanwhile, so
            // stale ones prove nothing yet
            return;
        }
        Set<String> active = new HashSet<>(view.activeWorkers());
        Set<String> local = new HashSet<>();
        workers.list().forEach(w -> local.add(w.id()));
        Set<String> candidates = new HashSet<>(maps.jobs().keys());
        candidates.addAll(maps.workers().keys());
        candidates.addAll(maps.workerKeepAlives().keys());
        long now = PoolClock.nowNanos();
        for (String id : candidates) {
            if (active.contains(id) || local.contains(id)) {
                continue;
            }
            if (liveness.fresh(id, PoolClock.parseNanos(maps.workerKeepAlives().get(id).orElse(null)), now)) {
                // alive: being removed by its own node ("-"), or locked by a cleaner right now
                continue;
            }
            // the lock lasts the worker's own TTL, the validity every node judges it by
            if (!lock(id, Duration.ofNanos(liveness.ttlNanos(id)))) {
                continue;
            }
            cleanupDeadWorker(id);
        }
    }

    private void cleanupDeadWorker(String id) {
        List<String> keys = maps.jobs().getValues(id);
        int requeued = 0;
        for (String key : keys) {
            Optional<byte[]> payload = view.payload(key);
            if (payload.isEmpty()) {
                maps.jobs().removeValues(id, key);
                continue;
            }
            Job job = new Job(key, payload.get(), Instant.now(), config.nodeId(), true);
            streams.pool().add(EventKind.START.code(), PoolCodec.job(job));
            requeued++;
            log.atInfo().addKeyValue("pool", pool).addKeyValue("job", key).addKeyValue("deadWorker", id)
                    .log("requeued job: its worker stopped keeping alive");
            redis.events().jobRequeued(pool, key, PulseEventListener.RequeueReason.DEAD_WORKER);
        }
        departures.deleteEntries(id);
        streams.worker(id).destroy();
        log.atInfo().addKeyValue("pool", pool).addKeyValue("worker", id).addKeyValue("requeued", requeued)
                .log("removed a dead worker");
        redis.events().workerEvicted(pool, id);
    }

    /**
     * Takes the cleanup lock {@code name} in the cleanup map for {@code validity}: fails if another
     * node holds a fresh one; replaces a stale one with compare-and-delete.
     */
    private boolean lock(String name, Duration validity) {
        ReplicatedMap cleanup = maps.cleanup();
        String current = cleanup.get(name).orElse(null);
        long now = PoolClock.nowNanos();
        if (current != null) {
            Long taken = PoolClock.parseNanos(current);
            if (taken != null && now - taken <= validity.toNanos()) {
                return false;
            }
            cleanup.testAndDelete(name, current);
        }
        return cleanup.setIfAbsent(name, Long.toString(now));
    }

    // ------------------------------------------------------------------ orphans

    /** Requeues, once for the whole pool, payloads no worker owns for longer than the grace period. */
    void requeueOrphans() {
        Set<String> owned = new HashSet<>();
        Map<String, String> lists = maps.jobs().snapshot();
        for (String worker : lists.keySet()) {
            owned.addAll(maps.jobs().getValues(worker));
        }
        Duration grace = config.workerTtl().multipliedBy(2);
        if (grace.compareTo(config.ackGrace()) < 0) {
            grace = config.ackGrace();
        }
        long now = System.nanoTime();
        Set<String> payloadKeys = maps.payloads().keys();
        orphansSeen.keySet().retainAll(payloadKeys);
        removeStaleOrphanLocks(grace);
        for (String key : payloadKeys) {
            if (owned.contains(key)) {
                orphansSeen.remove(key);
                continue;
            }
            long firstSeen = orphansSeen.computeIfAbsent(key, k -> now);
            if (now - firstSeen < grace.toNanos() || !lock(ORPHAN_LOCK + key, grace)) {
                continue;
            }
            orphansSeen.remove(key);
            Optional<byte[]> payload = view.payload(key);
            if (payload.isEmpty()) {
                continue;
            }
            streams.pool().add(EventKind.START.code(), PoolCodec.job(new Job(key, payload.get(), Instant.now(), config.nodeId(), true)));
            log.atInfo().addKeyValue("pool", pool).addKeyValue("job", key).log("requeued job: nobody owned it");
            redis.events().jobRequeued(pool, key, PulseEventListener.RequeueReason.ORPHAN);
        }
    }

    /** Deletes orphan locks older than the grace period, so the cleanup map does not grow. */
    private void removeStaleOrphanLocks(Duration grace) {
        long now = PoolClock.nowNanos();
        for (Map.Entry<String, String> e : maps.cleanup().snapshot().entrySet()) {
            if (!e.getKey().startsWith(ORPHAN_LOCK)) {
                continue;
            }
            Long taken = PoolClock.parseNanos(e.getValue());
            if (taken == null || now - taken > grace.toNanos()) {
                maps.cleanup().testAndDeleteAsync(e.getKey(), e.getValue());
            }
        }
    }

    // ------------------------------------------------------------------ housekeeping

    /**
     * Refreshes this node's keep-alive, and recreates its stream if another node deleted it (it took
     * this node for dead during a long pause): without it, acks and dispatch results would be lost.
     */
    void keepNodeAlive() {
        if (recovery.checkAndRecover()) {
            return; // registered again from scratch
        }
        liveness.publishAsync(config.nodeId());
        maps.nodeKeepAlives().setAsync(config.nodeId(), Long.toString(PoolClock.nowNanos()));
        Stream own = streams.node();
        byte[] init = config.nodeId().getBytes(StandardCharsets.UTF_8);
        String added = Futures.await(own.addAsync(EventKind.INIT.code(), init, AddOptions.onlyIfStreamExists()),
                redis.syncTimeout(), "pool " + pool + ": check the node stream");
        if (added == null) {
            log.atWarn().addKeyValue("pool", pool).addKeyValue("node", config.nodeId())
                    .log("this node's stream was deleted by another node; recreating it");
            own.add(EventKind.INIT.code(), init);
            // start results sent meanwhile were dropped: ask Redis which of the awaited jobs started
            dispatcher.confirmFromRedis();
        }
    }

    /**
     * Deletes the streams and keep-alives of nodes silent longer than their own worker TTL, and the
     * published TTLs nobody keeps alive any more.
     */
    void removeDeadNodes() {
        long now = PoolClock.nowNanos();
        Map<String, String> nodes = maps.nodeKeepAlives().snapshot();
        for (Map.Entry<String, String> e : nodes.entrySet()) {
            if (e.getKey().equals(config.nodeId()) || liveness.fresh(e.getKey(), PoolClock.parseNanos(e.getValue()), now)) {
                continue;
            }
            log.atInfo().addKeyValue("pool", pool).addKeyValue("deadNode", e.getKey()).log("removing a dead node's stream");
            streams.ofNode(e.getKey()).destroy();
            maps.nodeKeepAlives().testAndDelete(e.getKey(), e.getValue());
        }
        if (!config.clientOnly()) {
            // a TTL outlives its node or worker only if that died (or a Go node removed it): the
            // owner writes it again with its next keep-alive if it is in fact alive
            Set<String> kept = maps.workerKeepAlives().keys();
            long nowMillis = System.currentTimeMillis();
            for (String id : liveness.map().keys()) {
                if (!nodes.containsKey(id) && !kept.contains(id) && !id.equals(config.nodeId())
                        && !joinedRecently(id, nowMillis, 2 * liveness.ttlNanos(id))) {
                    liveness.forget(id);
                }
            }
        }
    }

    /**
     * Whether the node or worker {@code id} (a ULID, whose first part is its creation time) was created
     * less than {@code nanos} ago: it may have published its TTL and not yet its first keep-alive.
     */
    private static boolean joinedRecently(String id, long nowMillis, long nanos) {
        try {
            return nowMillis - Ulid.timestampMillis(id) < TimeUnit.NANOSECONDS.toMillis(nanos);
        } catch (IllegalArgumentException e) {
            return false; // not written by a node: nothing keeps it alive
        }
    }

    void trimPoolStream() {
        PoolScripts.TRIM_POOL.<Long>run(redis, ScriptOutputType.INTEGER,
                new byte[][] {streams.names().poolStreamKey()});
    }

    /** Deletes dispatch guards past their deadline (their dispatcher died), compare-and-delete. */
    void removeExpiredGuards() {
        long now = PoolClock.nowNanos();
        for (Map.Entry<String, String> e : maps.pending().snapshot().entrySet()) {
            Long deadline = PoolClock.parseNanos(e.getValue());
            if (deadline != null && deadline < now) {
                maps.pending().testAndDeleteAsync(e.getKey(), e.getValue());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
    }
}
