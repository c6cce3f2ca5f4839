package io.pulse.pool;

import io.lettuce.core.ScriptOutputType;
import io.pulse.core.internal.DaemonThreads;
import io.pulse.core.internal.RedisFacade;
import io.pulse.core.internal.Ulid;
import io.pulse.rmap.ReplicatedMap;
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

    private final Node node;
    private final String pool;
    private final RedisFacade redis;
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

    PoolMaintenance(Node node, Logger log) {
        this.node = node;
        this.pool = node.poolName();
        this.redis = node.facade();
        this.log = log;
        this.thread = Executors.newSingleThreadExecutor(DaemonThreads.named("pool", pool + "-maintenance"));
        long settle = node.workerTtl().toNanos() / 20;
        this.settleNanos = Math.max(MIN_SETTLE.toNanos(), Math.min(MAX_SETTLE.toNanos(), settle));
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
                    log.atWarn().addKeyValue("pool", pool).addKeyValue("node", node.id()).setCause(e)
                            .log("pool maintenance step failed; it runs again on its next period");
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    // ------------------------------------------------------------------ rebalancing

    private void rebalance() {
        node.recovery().observeWorkersRevision();
        evictLocalWorkersRemovedElsewhere();
        List<String> active = node.activeWorkers();
        long now = System.nanoTime();
        if (!active.equals(lastActive)) {
            log.atInfo().addKeyValue("pool", pool).addKeyValue("node", node.id()).addKeyValue("workers", active.size())
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
        if (active.equals(placedFor) && stableFor < node.workerTtl().toNanos() / 2) {
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
        for (Worker worker : node.localWorkers()) {
            if (worker.isStopped() || !active.contains(worker.id())) {
                continue;
            }
            for (Job job : new ArrayList<>(worker.runningJobs().values())) {
                String target = active.get(node.bucket(job.key(), active.size()));
                if (target.equals(worker.id())) {
                    continue;
                }
                if (!node.activeWorkers().equals(active)) {
                    // the set changed while moving (a handler's stop takes time): decide the remaining
                    // moves on the new set once it settles
                    requestRebalance();
                    return;
                }
                if (worker.release(job.key(), node.workerShutdownTtl()) == null) {
                    continue; // stopped meanwhile: nothing to move
                }
                try {
                    node.poolStream().add("j", PoolCodec.job(job.asRequeued()));
                    log.atInfo().addKeyValue("pool", pool).addKeyValue("job", job.key()).addKeyValue("from", worker.id())
                            .addKeyValue("to", target).log("requeued job: it now hashes to another worker");
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
        Map<String, String> registered = node.workersMap().snapshot();
        boolean lossChecked = false;
        for (Worker worker : node.localWorkers()) {
            if (worker.isStopped() || !worker.isRegistered() || registered.containsKey(worker.id())) {
                continue;
            }
            if (!lossChecked) {
                lossChecked = true;
                if (node.recovery().explainsMissingWorker()) {
                    return;
                }
            }
            log.atWarn().addKeyValue("pool", pool).addKeyValue("worker", worker.id())
                    .log("another node removed this worker from the pool; stopping its jobs");
            node.evict(worker);
        }
    }

    // ------------------------------------------------------------------ dead workers

    /** Requeues the jobs of workers whose keep-alive is older than the worker TTL, then removes them. */
    void removeDeadWorkers() {
        if (redis.connectedFor().compareTo(node.workerTtl()) < 0) {
            // Redis was unreachable a moment ago: nobody could refresh a keep-alive meanwhile, so
            // stale ones prove nothing yet
            return;
        }
        Set<String> active = new HashSet<>(node.activeWorkers());
        Set<String> local = new HashSet<>();
        node.localWorkers().forEach(w -> local.add(w.id()));
        Set<String> candidates = new HashSet<>(node.jobsMap().keys());
        candidates.addAll(node.workersMap().keys());
        candidates.addAll(node.workerKeepAlives().keys());
        long now = Node.nowNanos();
        Liveness liveness = node.liveness();
        for (String id : candidates) {
            if (active.contains(id) || local.contains(id)) {
                continue;
            }
            if (liveness.fresh(id, Node.parseNanos(node.workerKeepAlives().get(id).orElse(null)), now)) {
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
        List<String> keys = node.jobsMap().getValues(id);
        int requeued = 0;
        for (String key : keys) {
            Optional<byte[]> payload = node.view().payload(key);
            if (payload.isEmpty()) {
                node.jobsMap().removeValues(id, key);
                continue;
            }
            Job job = new Job(key, payload.get(), Instant.now(), node.id(), true);
            node.poolStream().add("j", PoolCodec.job(job));
            requeued++;
            log.atInfo().addKeyValue("pool", pool).addKeyValue("job", key).addKeyValue("deadWorker", id)
                    .log("requeued job: its worker stopped keeping alive");
        }
        node.deleteWorkerEntries(id);
        Stream.open(node.names().workerStream(id), node.redis()).destroy();
        log.atInfo().addKeyValue("pool", pool).addKeyValue("worker", id).addKeyValue("requeued", requeued)
                .log("removed a dead worker");
    }

    /**
     * Takes the cleanup lock {@code name} in the cleanup map for {@code validity}: fails if another
     * node holds a fresh one; replaces a stale one with compare-and-delete.
     */
    private boolean lock(String name, Duration validity) {
        ReplicatedMap cleanup = node.cleanupMap();
        String current = cleanup.get(name).orElse(null);
        long now = Node.nowNanos();
        if (current != null) {
            Long taken = Node.parseNanos(current);
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
        Map<String, String> lists = node.jobsMap().snapshot();
        for (String worker : lists.keySet()) {
            owned.addAll(node.jobsMap().getValues(worker));
        }
        Duration grace = node.workerTtl().multipliedBy(2);
        if (grace.compareTo(node.ackGracePeriod()) < 0) {
            grace = node.ackGracePeriod();
        }
        long now = System.nanoTime();
        Set<String> payloadKeys = node.payloadsMap().keys();
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
            Optional<byte[]> payload = node.view().payload(key);
            if (payload.isEmpty()) {
                continue;
            }
            node.poolStream().add("j", PoolCodec.job(new Job(key, payload.get(), Instant.now(), node.id(), true)));
            log.atInfo().addKeyValue("pool", pool).addKeyValue("job", key).log("requeued job: nobody owned it");
        }
    }

    /** Deletes orphan locks older than the grace period, so the cleanup map does not grow. */
    private void removeStaleOrphanLocks(Duration grace) {
        long now = Node.nowNanos();
        for (Map.Entry<String, String> e : node.cleanupMap().snapshot().entrySet()) {
            if (!e.getKey().startsWith(ORPHAN_LOCK)) {
                continue;
            }
            Long taken = Node.parseNanos(e.getValue());
            if (taken == null || now - taken > grace.toNanos()) {
                node.cleanupMap().testAndDeleteAsync(e.getKey(), e.getValue());
            }
        }
    }

    // ------------------------------------------------------------------ housekeeping

    /**
     * Refreshes this node's keep-alive, and recreates its stream if another node deleted it (it took
     * this node for dead during a long pause): without it, acks and dispatch results would be lost.
     */
    void keepNodeAlive() {
        if (node.recovery().checkAndRecover()) {
            return; // registered again from scratch
        }
        node.liveness().publishAsync(node.id());
        node.nodeKeepAlives().setAsync(node.id(), Long.toString(Node.nowNanos()));
        Stream own = node.nodeStream();
        if (own.addAsync("i", node.id().getBytes(StandardCharsets.UTF_8), io.pulse.streaming.AddOptions.onlyIfStreamExists())
                .join() == null) {
            log.atWarn().addKeyValue("pool", pool).addKeyValue("node", node.id())
                    .log("this node's stream was deleted by another node; recreating it");
            own.add("i", node.id().getBytes(StandardCharsets.UTF_8));
            // start results sent meanwhile were dropped: ask Redis which of the awaited jobs started
            node.confirmWaitingDispatches();
        }
    }

    /**
     * Deletes the streams and keep-alives of nodes silent longer than their own worker TTL, and the
     * published TTLs nobody keeps alive any more.
     */
    void removeDeadNodes() {
        long now = Node.nowNanos();
        Liveness liveness = node.liveness();
        Map<String, String> nodes = node.nodeKeepAlives().snapshot();
        for (Map.Entry<String, String> e : nodes.entrySet()) {
            if (e.getKey().equals(node.id()) || liveness.fresh(e.getKey(), Node.parseNanos(e.getValue()), now)) {
                continue;
            }
            log.atInfo().addKeyValue("pool", pool).addKeyValue("deadNode", e.getKey()).log("removing a dead node's stream");
            Stream.open(node.names().nodeStream(e.getKey()), node.redis()).destroy();
            node.nodeKeepAlives().testAndDelete(e.getKey(), e.getValue());
        }
        if (!node.isClientOnly()) {
            // a TTL outlives its node or worker only if that died (or a Go node removed it): the
            // owner writes it again with its next keep-alive if it is in fact alive
            Set<String> kept = node.workerKeepAlives().keys();
            long nowMillis = System.currentTimeMillis();
            for (String id : liveness.map().keys()) {
                if (!nodes.containsKey(id) && !kept.contains(id) && !id.equals(node.id())
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
                new byte[][] {node.names().poolStreamKey()});
    }

    /** Deletes dispatch guards past their deadline (their dispatcher died), compare-and-delete. */
    void removeExpiredGuards() {
        long now = Node.nowNanos();
        for (Map.Entry<String, String> e : node.pendingMap().snapshot().entrySet()) {
            Long deadline = Node.parseNanos(e.getValue());
            if (deadline != null && deadline < now) {
                node.pendingMap().testAndDeleteAsync(e.getKey(), e.getValue());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
    }
}
