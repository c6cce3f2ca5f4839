package io.pulse.pool;

import io.lettuce.core.ScriptOutputType;
import io.pulse.core.DaemonThreads;
import io.pulse.core.PulseRedis;
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

    private final Node node;
    private final String pool;
    private final PulseRedis redis;
    private final Logger log;
    private final ExecutorService thread;
    private final AtomicBoolean rebalanceQueued = new AtomicBoolean();
    private final Map<String, Long> orphansSeen = new HashMap<>();
    private List<String> lastActive = List.of();
    private long lastChange = System.nanoTime();
    private volatile boolean closed;

    PoolMaintenance(Node node, Logger log) {
        this.node = node;
        this.pool = node.poolName();
        this.redis = node.redis();
        this.log = log;
        this.thread = Executors.newSingleThreadExecutor(DaemonThreads.named("pool", pool + "-maintenance"));
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
        evictLocalWorkersRemovedElsewhere();
        List<String> active = node.activeWorkers();
        long now = System.nanoTime();
        if (!active.equals(lastActive)) {
            log.atInfo().addKeyValue("pool", pool).addKeyValue("node", node.id()).addKeyValue("workers", active.size())
                    .log("active workers changed; rebalancing local jobs");
            lastActive = active;
            lastChange = now;
        } else if (now - lastChange < node.workerTtl().toNanos() / 2) {
            // the set changed moments ago and its moves are done; other nodes may not see it yet, so
            // stray placements are only fixed once it has been stable a while
            return;
        }
        // when the set has been stable a while, also move jobs a router with a lagging view (during
        // churn, or around a Redis outage) sent to a worker their key does not hash to
        if (active.isEmpty()) {
            return;
        }
        for (Worker worker : node.localWorkers()) {
            if (worker.isStopped() || !active.contains(worker.id())) {
                continue;
            }
            for (Job job : new ArrayList<>(worker.runningJobs().values())) {
                String target = active.get(node.bucket(job.key(), active.size()));
                if (target.equals(worker.id())) {
                    continue;
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

    /** A local worker that another node removed from the pool (it took it for dead) stops its jobs. */
    private void evictLocalWorkersRemovedElsewhere() {
        Map<String, String> registered = node.workersMap().snapshot();
        for (Worker worker : node.localWorkers()) {
            if (worker.isStopped() || !worker.isRegistered() || registered.containsKey(worker.id())) {
                continue;
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
        long ttl = node.workerTtl().toNanos();
        for (String id : candidates) {
            if (active.contains(id) || local.contains(id)) {
                continue;
            }
            Long keepAlive = Node.parseNanos(node.workerKeepAlives().get(id).orElse(null));
            if (keepAlive != null && now - keepAlive <= ttl) {
                // alive: being removed by its own node ("-"), or locked by a cleaner right now
                continue;
            }
            if (!lock(id, node.workerTtl())) {
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
        Stream.open(PoolKeys.workerStream(id), redis).destroy();
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
        node.nodeKeepAlives().setAsync(node.id(), Long.toString(Node.nowNanos()));
        Stream own = node.nodeStream();
        if (own.addAsync("i", node.id().getBytes(StandardCharsets.UTF_8), io.pulse.streaming.AddOptions.onlyIfStreamExists())
                .join() == null) {
            log.atWarn().addKeyValue("pool", pool).addKeyValue("node", node.id())
                    .log("this node's stream was deleted by another node; recreating it");
            own.add("i", node.id().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Deletes the streams and keep-alives of nodes silent longer than the worker TTL. */
    void removeDeadNodes() {
        long now = Node.nowNanos();
        for (Map.Entry<String, String> e : node.nodeKeepAlives().snapshot().entrySet()) {
            Long last = Node.parseNanos(e.getValue());
            if (e.getKey().equals(node.id()) || (last != null && now - last <= node.workerTtl().toNanos())) {
                continue;
            }
            log.atInfo().addKeyValue("pool", pool).addKeyValue("deadNode", e.getKey()).log("removing a dead node's stream");
            Stream.open(PoolKeys.nodeStream(pool, e.getKey()), redis).destroy();
            node.nodeKeepAlives().testAndDelete(e.getKey(), e.getValue());
        }
    }

    void trimPoolStream() {
        PoolScripts.TRIM_POOL.<Long>run(redis, ScriptOutputType.INTEGER,
                new byte[][] {PoolKeys.streamKey(PoolKeys.poolStream(pool)).getBytes(StandardCharsets.UTF_8)});
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
