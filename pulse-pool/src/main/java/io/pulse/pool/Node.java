package io.pulse.pool;

import io.pulse.core.ClosedException;
import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.core.PulseException;
import io.pulse.core.PulseRedis;
import io.pulse.core.internal.Args;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.Names;
import io.pulse.core.internal.RedisFacade;
import io.pulse.core.internal.Ulid;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.rmap.internal.MapWrites;
import io.pulse.rmap.internal.StateMaps;
import io.pulse.streaming.Reader;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread-safe handle of one process on a worker pool: it dispatches, stops and notifies jobs, and
 * (unless it is client-only) hosts workers and routes the pool's events to them. All pool state lives
 * in Redis in Go Pulse's layout, so Java and Go nodes can share one pool.
 *
 * <p>A job is identified by its key; at most one job per key is admitted at a time. Starts are routed
 * by jump consistent hashing over the pool's active workers ordered by creation time, so a key goes
 * to the same worker as long as the set of workers does not change; stops and notifications go to the
 * job's current owner. Execution is at least once: handlers must be idempotent.
 */
public final class Node implements AutoCloseable {

    private static final Logger DEFAULT_LOG = LoggerFactory.getLogger(Node.class);

    /** Replaces the routing hash in tests. */
    interface Hasher {
        int bucket(String key, int buckets);
    }

    private final String pool;
    private final String id = Ulid.next();
    private final PulseRedis redis;
    private final RedisFacade facade;
    private final PoolNames names;
    private final Logger log;
    private final boolean clientOnly;
    private final Duration workerTtl;
    private final Duration workerShutdownTtl;
    private final int maxQueuedJobs;
    private final Duration ackGrace;
    private final Duration sinkBlock;
    private final Executor executor;
    private final Hasher hasher;

    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    private final List<ScheduledFuture<?>> tasks = new CopyOnWriteArrayList<>();
    private final Map<String, Worker> workers = new ConcurrentHashMap<>();
    private final Object lifecycle = new Object();

    private ReplicatedMap shutdownMap;
    private ReplicatedMap nodeKeepAlives;
    private ReplicatedMap workersMap;
    private ReplicatedMap workerKeepAlives;
    private ReplicatedMap cleanupMap;
    private ReplicatedMap jobsMap;
    private ReplicatedMap payloadsMap;
    private MapWrites payloadWrites;
    private ReplicatedMap pendingMap;
    private ReplicatedMap tickersMap;
    private Liveness liveness;
    private StateLossRecovery recovery;
    private Stream poolStream;
    private Stream nodeStream;
    private Sink poolSink;
    private Router router;
    private Dispatcher dispatcher;
    private PoolView view;
    private PoolMaintenance maintenance;
    private final WorkerDepartures departures;
    private final NodeMessages messages;

    private volatile boolean closing;
    private volatile boolean closed;
    private volatile boolean shutdown;

    private Node(Builder b) {
        this.pool = b.pool;
        this.redis = b.redis;
        this.facade = RedisFacade.of(b.redis);
        this.names = new PoolNames(b.pool, facade.layout());
        this.log = b.log;
        this.clientOnly = b.clientOnly;
        this.workerTtl = b.workerTtl;
        this.workerShutdownTtl = b.workerShutdownTtl;
        this.maxQueuedJobs = b.maxQueuedJobs;
        this.ackGrace = b.ackGrace;
        this.sinkBlock = b.sinkBlock;
        this.executor = b.executor;
        this.hasher = b.hasher;
        this.departures = new WorkerDepartures(this, b.log);
        this.messages = new NodeMessages(names, b.redis, b.log);
    }

    /** Joins the pool {@code pool} as a full node with default options; see {@link Builder#join()}. */
    public static Node join(String pool, PulseRedis redis) {
        return builder(pool, redis).join();
    }

    /** Starts configuring a node of the pool {@code pool}; validates both arguments now. */
    public static Builder builder(String pool, PulseRedis redis) {
        return new Builder(pool, redis);
    }

    /** Options of a node; not thread-safe, ends in {@link #join()}. */
    public static final class Builder {
        private final String pool;
        private final PulseRedis redis;
        private Duration workerTtl = Duration.ofSeconds(30);
        private Duration workerShutdownTtl = Duration.ofMinutes(2);
        private int maxQueuedJobs = 1000;
        private Duration ackGrace = Duration.ofSeconds(20);
        private Duration sinkBlock = Duration.ofSeconds(5);
        private boolean clientOnly;
        private Executor executor;
        private Logger log = DEFAULT_LOG;
        private Hasher hasher = JumpHash::bucket;

        private Builder(String pool, PulseRedis redis) {
            this.pool = Names.requireValid("pool", pool);
            this.redis = Objects.requireNonNull(redis, "redis");
        }

        /**
         * This node or one of its workers silent this long is considered dead (default 30 s); keep-alives
         * every half. The node publishes it, so nodes with other TTLs judge it by this one.
         */
        public Builder workerTtl(Duration ttl) {
            this.workerTtl = Args.positive("workerTtl", ttl);
            return this;
        }

        /** The longest a handler's {@code stop} may take when the node leaves (default 2 min). */
        public Builder workerShutdownTtl(Duration ttl) {
            this.workerShutdownTtl = Args.positive("workerShutdownTtl", ttl);
            return this;
        }

        /**
         * The most dispatches the pool accepts in flight (accepted, not started yet) before
         * {@code dispatchJob} fails with {@link PoolFullException} (default 1,000; 0: no limit).
         */
        public Builder maxQueuedJobs(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxQueuedJobs must be >= 0: " + max);
            }
            this.maxQueuedJobs = max;
            return this;
        }

        /**
         * How long a routed event may stay unacknowledged before another node routes it again (default
         * 20 s). {@code dispatchJob} waits at most twice this.
         */
        public Builder ackGracePeriod(Duration grace) {
            this.ackGrace = Args.positive("ackGracePeriod", grace);
            return this;
        }

        /** How long the node's reads of the pool and node streams block (default 5 s). */
        public Builder jobSinkBlockDuration(Duration block) {
            this.sinkBlock = Args.positive("jobSinkBlockDuration", block);
            return this;
        }

        /** A node that only dispatches, stops and notifies jobs: no workers, no routing. */
        public Builder clientOnly() {
            this.clientOnly = true;
            return this;
        }

        /** Where handler calls run (default: each worker's own thread). */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** The node's logger (default {@code io.pulse.pool.Node}). */
        public Builder logger(Logger logger) {
            this.log = Objects.requireNonNull(logger, "logger");
            return this;
        }

        /** Replaces the routing hash (tests only). */
        Builder hasher(Hasher hasher) {
            this.hasher = Objects.requireNonNull(hasher, "hasher");
            return this;
        }

        /**
         * Joins the pool; blocks until the node's maps, streams and loops are up.
         *
         * @throws PulseException if the pool is shutting down or Redis fails
         */
        public Node join() {
            RedisFacade.of(redis).ensureOpen("join pool " + pool);
            Node node = new Node(this);
            try {
                node.start();
            } catch (RuntimeException e) {
                node.releaseResources();
                throw e;
            }
            RedisFacade.of(redis).register(node);
            return node;
        }
    }

    // ------------------------------------------------------------------ joining

    private void start() {
        shutdownMap = map(names.map(PoolMap.SHUTDOWN));
        if (shutdownMap.size() > 0) {
            throw new PulseException("pool \"" + pool + "\" is shutting down: cannot join it");
        }
        liveness = new Liveness(map(names.map(PoolMap.KEEPALIVE_TTL)), workerTtl, log);
        view = new PoolView(names, facade, liveness, log);
        recovery = new StateLossRecovery(this, log);
        recovery.join();
        nodeKeepAlives = map(names.map(PoolMap.NODE_KEEPALIVE));
        liveness.publish(id);
        nodeKeepAlives.set(id, Long.toString(nowNanos()));
        poolStream = Stream.builder(names.poolStream(), redis).maxLen(0).logger(log).open();
        dispatcher = new Dispatcher(names, id, facade, poolStream, ackGrace, maxQueuedJobs, view::jobKeysInRedis, log);
        if (!clientOnly) {
            workersMap = map(names.map(PoolMap.WORKERS));
            jobsMap = map(names.map(PoolMap.JOBS));
            payloadsMap = map(names.map(PoolMap.JOB_PAYLOADS));
            // payloads need not be text: written byte for byte, not through the replica
            ReplicatedMap payloads = payloadsMap;
            payloadWrites = MapWrites.of(facade, payloads.name(), Duration.ZERO, false, payloads::isClosed);
            workerKeepAlives = map(names.map(PoolMap.WORKER_KEEPALIVE));
            cleanupMap = map(names.map(PoolMap.CLEANUP));
            pendingMap = map(names.map(PoolMap.PENDING_JOBS));
            tickersMap = map(names.map(PoolMap.TICKERS));
            view.attach(new PoolView.Maps(workersMap, workerKeepAlives, cleanupMap, jobsMap, payloadsMap));
            router = new Router(this, log);
            // the group starts at the oldest event: jobs dispatched before any worker node existed wait
            poolSink = poolStream.sink(names.poolSink()).startAtOldest().blockDuration(sinkBlock)
                    .ackGracePeriod(ackGrace).open();
            resources.add(poolSink);
            router.attach(poolSink);
            resources.add(poolSink.subscribe(router::route));
            resources.add(shutdownMap.subscribe(e -> onShutdownMapChange()));
        }
        nodeStream = Stream.builder(names.nodeStream(id), redis).logger(log).open();
        nodeStream.add("i", id.getBytes(StandardCharsets.UTF_8));
        Reader nodeReader = nodeStream.reader().startAtOldest().blockDuration(sinkBlock).open();
        resources.add(nodeReader);
        messages.attach(router, dispatcher);
        resources.add(nodeReader.subscribe(messages::onEvent));
        maintenance = new PoolMaintenance(this, log);
        resources.add(maintenance);
        // a re-read of the keep-alives (after a reconnection, or a revision that went back) is the
        // earliest hint that Redis may have lost the pool's state
        resources.add(nodeKeepAlives.subscribe(e -> {
            if (e.kind() == io.pulse.rmap.MapEvent.Kind.RESYNC) {
                maintenance.submit(recovery::checkAndRecover);
            }
        }));
        schedule(maintenance::keepNodeAlive, workerTtl.dividedBy(2));
        schedule(maintenance::removeDeadNodes, workerTtl);
        if (!clientOnly) {
            schedule(maintenance::trimPoolStream, ackGrace);
            schedule(maintenance::removeExpiredGuards, ackGrace);
            schedule(maintenance::removeDeadWorkers, workerTtl.dividedBy(2));
            schedule(maintenance::requeueOrphans, workerTtl);
            schedule(maintenance::requestRebalance, workerTtl.dividedBy(2));
            resources.add(workersMap.subscribe(e -> maintenance.requestRebalance()));
            resources.add(workerKeepAlives.subscribe(e -> {
                if (e.kind() != io.pulse.rmap.MapEvent.Kind.CHANGE || !workersMap.keys().isEmpty()) {
                    maintenance.requestRebalance();
                }
            }));
        }
        log.atInfo().addKeyValue("pool", pool).addKeyValue("node", id).addKeyValue("clientOnly", clientOnly)
                .addKeyValue("workerTtl", workerTtl).addKeyValue("ackGracePeriod", ackGrace)
                .addKeyValue("maxQueuedJobs", maxQueuedJobs).log("joined pool");
    }

    private ReplicatedMap map(String name) {
        ReplicatedMap m = StateMaps.builder(name, redis).logger(log).join();
        resources.add(m);
        return m;
    }

    /** Runs {@code task} every {@code period} on the maintenance thread (skipped while one is queued). */
    private void schedule(Runnable task, Duration period) {
        long ms = Math.max(1, period.toMillis());
        AtomicBoolean queued = new AtomicBoolean();
        tasks.add(facade.scheduler().scheduleWithFixedDelay(() -> {
            if (!closing && queued.compareAndSet(false, true)) {
                maintenance.submit(() -> {
                    queued.set(false);
                    task.run();
                });
            }
        }, ms, ms, TimeUnit.MILLISECONDS));
    }

    // ------------------------------------------------------------------ node stream: acks and results

    /** A worker acknowledges an event routed by {@code routerNode}. */
    void ackToRouter(String routerNode, String workerId, String workerEventId, String error) {
        messages.ackToRouter(routerNode, workerId, workerEventId, error);
    }

    /** Tells {@code dispatcherNode} how the start of pool event {@code poolEventId} went. */
    void sendDispatchResult(String dispatcherNode, String poolEventId, String error) {
        messages.sendDispatchResult(dispatcherNode, poolEventId, error);
    }

    // ------------------------------------------------------------------ dispatch

    /**
     * Starts the job {@code key} with {@code payload} on the worker its key routes to, and returns once
     * that worker's {@link JobHandler#start} returned. Waits at most twice the ack grace period.
     *
     * @throws JobExistsException if a job with that key runs or is being dispatched
     * @throws JobStartException if the handler's start threw (carries its message)
     * @throws PoolFullException if {@code maxQueuedJobs} dispatches are already in flight
     * @throws ClosedException if this node is closed
     * @throws PulseException on time-out (the job may still start later) or Redis failure; a job that
     *     the jobs map in Redis lists when the time-out comes counts as started, not as a failure
     */
    public void dispatchJob(String key, byte[] payload) {
        Futures.await(dispatchJobAsync(key, payload), ackGrace.multipliedBy(2).plus(facade.syncTimeout()),
                "pool " + pool + ": dispatch job " + key);
    }

    /** Async twin of {@link #dispatchJob}. */
    public CompletableFuture<Void> dispatchJobAsync(String key, byte[] payload) {
        validKey(key);
        Objects.requireNonNull(payload, "payload");
        if (closing) {
            return Futures.failed(new ClosedException("pool " + pool + ": node " + id + " is closed"));
        }
        return dispatcher.dispatch(key, payload);
    }

    /**
     * Asks the job's current owner to stop it; returns once the request is queued (unknown keys are
     * dropped by the pool).
     */
    public void stopJob(String key) {
        validKey(key);
        ensureOpen("stopJob");
        poolStream.add("s", PoolCodec.jobKey(key));
        log.atInfo().addKeyValue("pool", pool).addKeyValue("job", key).log("stop requested");
    }

    /** Sends {@code payload} to the handler of the job {@code key}; returns once queued. */
    public void notifyWorker(String key, byte[] payload) {
        validKey(key);
        Objects.requireNonNull(payload, "payload");
        ensureOpen("notifyWorker");
        poolStream.add("n", PoolCodec.notification(key, payload));
    }

    // ------------------------------------------------------------------ workers

    /**
     * Adds a worker running jobs with {@code handler}; blocks until it is registered in the pool.
     *
     * @throws IllegalStateException on a client-only node
     */
    public Worker addWorker(JobHandler handler) {
        Objects.requireNonNull(handler, "handler");
        ensureOpen("addWorker");
        if (clientOnly) {
            throw new IllegalStateException("pool " + pool + ": a client-only node cannot host workers");
        }
        Worker worker = new Worker(this, handler, executor, log);
        workers.put(worker.id(), worker);
        try {
            worker.start();
        } catch (RuntimeException e) {
            workers.remove(worker.id());
            worker.retire();
            throw e;
        }
        return worker;
    }

    /**
     * Removes {@code worker}: it stops taking jobs, its running jobs are stopped here and started on
     * the remaining workers, and it leaves the pool's maps.
     */
    public void removeWorker(Worker worker) {
        Objects.requireNonNull(worker, "worker");
        if (workers.remove(worker.id()) == null) {
            return;
        }
        worker.stopLoops();
        departures.markRemoving(List.of(worker));
        departures.requeueJobs(worker);
        departures.forget(worker);
        log.atInfo().addKeyValue("pool", pool).addKeyValue("worker", worker.id()).log("removed worker");
    }

    /** Deletes a worker from the pool's maps (never its jobs' payloads). */
    void deleteWorkerEntries(String workerId) {
        departures.deleteEntries(workerId);
    }

    /** Stops a local worker another node removed from the pool, and each of its jobs. */
    void evict(Worker worker) {
        if (workers.remove(worker.id()) != null) {
            departures.evict(worker);
        }
    }

    /** The workers this node hosts. */
    public List<WorkerInfo> workers() {
        List<WorkerInfo> out = new ArrayList<>();
        workers.values().forEach(w -> out.add(new WorkerInfo(w.id(), w.createdAt())));
        out.sort(Comparator.comparing(WorkerInfo::createdAt).thenComparing(WorkerInfo::id));
        return out;
    }

    /** Every worker of the pool (all nodes), ordered by creation; read from Redis on client-only nodes. */
    public List<WorkerInfo> poolWorkers() {
        return view.poolWorkers();
    }

    /** The keys of every job running in the pool, without duplicates; from Redis on client-only nodes. */
    public List<String> jobKeys() {
        return view.jobKeys();
    }

    /** The payload of the job {@code key} (exact bytes, read from Redis), if the job exists. */
    public Optional<byte[]> jobPayload(String key) {
        Objects.requireNonNull(key, "key");
        return view.payload(key);
    }

    // ------------------------------------------------------------------ routing support

    /** The bucket list; see {@link PoolView#activeWorkers()}. */
    List<String> activeWorkers() {
        return view.activeWorkers();
    }

    int bucket(String key, int buckets) {
        return hasher.bucket(key, buckets);
    }

    String activeOwner(String key) {
        return view.activeOwner(key);
    }

    boolean payloadExistsInRedis(String key) {
        return view.payloadExists(key);
    }

    // ------------------------------------------------------------------ background tasks

    // ------------------------------------------------------------------ tickers and schedules

    /**
     * Opens a pool-wide ticker: each interval, one node of those that opened a ticker of this name
     * gets the tick.
     *
     * @throws IllegalStateException on a client-only node
     */
    public Ticker ticker(String name, Duration interval) {
        Names.requireValid("ticker", name);
        Args.positive("interval", interval);
        ensureOpen("ticker");
        requireFull("ticker");
        Ticker ticker = new Ticker(this, name, interval, false, log);
        resources.add(ticker);
        return ticker;
    }

    /**
     * Keeps the pool's jobs in line with {@code producer}'s plan, computed once per {@code interval}
     * for the whole pool (the first time right away); see {@link Schedule}.
     *
     * @throws IllegalArgumentException if {@code name} is invalid or collides with the pool's own maps
     * @throws IllegalStateException on a client-only node
     */
    public Schedule schedule(String name, Duration interval, JobProducer producer) {
        Schedule.validName(name, names.layout());
        Args.positive("interval", interval);
        Schedule.checked(producer);
        ensureOpen("schedule");
        requireFull("schedule");
        Schedule schedule = new Schedule(this, name, interval, producer, log);
        resources.add(schedule::cancel);
        return schedule;
    }

    private void requireFull(String op) {
        if (clientOnly) {
            throw new IllegalStateException("pool " + pool + ": a client-only node cannot " + op);
        }
    }

    ReplicatedMap tickersMap() {
        return tickersMap;
    }

    // ------------------------------------------------------------------ close and shutdown

    private void onShutdownMapChange() {
        if (closing || shutdownMap.size() == 0) {
            return;
        }
        Thread t = new Thread(() -> leave(false), "pulse-pool-shutdown-" + pool);
        t.setDaemon(true);
        t.start();
    }

    /**
     * Leaves the pool: this node's workers stop, their jobs are stopped here and started on other
     * nodes' workers, its maps and streams are released. Client-only nodes just release theirs.
     * Idempotent; blocks until done (each handler stop bounded by {@code workerShutdownTtl}).
     */
    @Override
    public void close() {
        leave(true);
    }

    /**
     * Stops the whole pool: every node stops its workers' jobs (nothing is requeued) and leaves, then
     * the pool's maps and stream are deleted. Returns once this node is done and the other nodes have
     * left, or after {@code workerShutdownTtl}.
     *
     * @throws IllegalStateException on a client-only node
     */
    public void shutdown() {
        if (clientOnly) {
            throw new IllegalStateException("pool " + pool + ": a client-only node cannot shut the pool down");
        }
        if (closed || closing) {
            return;
        }
        shutdownMap.set(PoolCodec.SHUTDOWN_KEY, id);
        leave(false);
        long deadline = System.nanoTime() + workerShutdownTtl.toNanos();
        while (System.nanoTime() < deadline && !view.readMap(names.map(PoolMap.WORKERS)).isEmpty()) {
            sleep(Duration.ofMillis(20));
        }
        for (String name : List.of(names.map(PoolMap.NODE_KEEPALIVE), names.map(PoolMap.WORKERS),
                names.map(PoolMap.WORKER_KEEPALIVE), names.map(PoolMap.CLEANUP), names.map(PoolMap.JOBS),
                names.map(PoolMap.PENDING_JOBS), names.map(PoolMap.JOB_PAYLOADS), names.map(PoolMap.TICKERS),
                names.map(PoolMap.KEEPALIVE_TTL), names.map(PoolMap.SHUTDOWN))) {
            try {
                // no replica: only the destroy tombstone is written, as a replica's destroy() would
                Futures.await(MapWrites.of(facade, name).destroy(), facade.syncTimeout(), "destroy map " + name);
            } catch (RuntimeException e) {
                log.atWarn().addKeyValue("map", name).setCause(e).log("destroying a pool map failed");
            }
        }
        poolStream.destroy();
        try {
            StateLossRecovery.forget(facade, names);
        } catch (RuntimeException e) {
            log.atWarn().setCause(e).log("deleting the pool's incarnation failed");
        }
        shutdown = true;
        log.atInfo().addKeyValue("pool", pool).addKeyValue("node", id).log("pool shut down");
    }

    private void leave(boolean requeue) {
        synchronized (lifecycle) {
            if (closing) {
                return;
            }
            closing = true;
        }
        tasks.forEach(t -> t.cancel(false));
        List<Worker> local = new ArrayList<>(workers.values());
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
            workers.remove(worker.id());
        }
        dispatcher.failAll(new ClosedException("pool " + pool + ": node " + id + " closed"));
        try {
            nodeKeepAlives.delete(id);
            liveness.forget(id);
        } catch (RuntimeException e) {
            log.atDebug().setCause(e).log("deleting the node keep-alive failed");
        }
        releaseResources();
        try {
            nodeStream.destroy();
        } catch (RuntimeException e) {
            log.atDebug().setCause(e).log("destroying the node stream failed");
        }
        if (!requeue) {
            shutdown = true;
        }
        closed = true;
        facade.unregister(this);
        log.atInfo().addKeyValue("pool", pool).addKeyValue("node", id).addKeyValue("requeued", requeue).log("node left");
    }

    private void releaseResources() {
        List<AutoCloseable> all = new ArrayList<>(resources);
        resources.clear();
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                all.get(i).close();
            } catch (Exception e) {
                log.atDebug().setCause(e).log("closing a node resource failed");
            }
        }
    }

    /** Whether this node left the pool (close, shutdown, or the pool's shutdown). */
    public boolean isClosed() {
        return closed;
    }

    /** Whether this node stopped because the pool was shut down. */
    public boolean isShutdown() {
        return shutdown;
    }

    // ------------------------------------------------------------------ accessors for workers and routers

    /** The node's id (a ULID). */
    public String id() {
        return id;
    }

    /** The pool's name. */
    public String poolName() {
        return pool;
    }

    PulseRedis redis() {
        return redis;
    }

    RedisFacade facade() {
        return facade;
    }

    PoolNames names() {
        return names;
    }

    ReplicatedMap workersMap() {
        return workersMap;
    }

    ReplicatedMap workerKeepAlives() {
        return workerKeepAlives;
    }

    ReplicatedMap jobsMap() {
        return jobsMap;
    }

    MapWrites payloadWrites() {
        return payloadWrites;
    }

    ReplicatedMap payloadsMap() {
        return payloadsMap;
    }

    Duration workerTtl() {
        return workerTtl;
    }

    Duration workerShutdownTtl() {
        return workerShutdownTtl;
    }

    Duration workerReadBlock() {
        return workerTtl.dividedBy(2);
    }

    ReplicatedMap cleanupMap() {
        return cleanupMap;
    }

    ReplicatedMap pendingMap() {
        return pendingMap;
    }

    ReplicatedMap nodeKeepAlives() {
        return nodeKeepAlives;
    }

    Stream poolStream() {
        return poolStream;
    }

    Stream nodeStream() {
        return nodeStream;
    }

    PoolView view() {
        return view;
    }

    Liveness liveness() {
        return liveness;
    }

    StateLossRecovery recovery() {
        return recovery;
    }

    boolean isClientOnly() {
        return clientOnly;
    }

    /** Completes waiting dispatches whose job Redis shows started (their results may have been lost). */
    void confirmWaitingDispatches() {
        dispatcher.confirmFromRedis();
    }

    Duration ackGracePeriod() {
        return ackGrace;
    }

    List<Worker> localWorkers() {
        return new ArrayList<>(workers.values());
    }

    PoolMaintenance maintenance() {
        return maintenance;
    }

    Router router() {
        return router;
    }

    int waitingDispatches() {
        return dispatcher.waiting();
    }

    // ------------------------------------------------------------------ helpers

    private void validKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("job key must not be empty");
        }
        if (key.indexOf('=') >= 0) {
            throw new IllegalArgumentException("job key \"" + key + "\" must not contain '='");
        }
    }

    private void ensureOpen(String op) {
        if (closing) {
            throw new ClosedException("pool " + pool + ": node " + id + " is closed: cannot " + op);
        }
    }

    static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    static long toNanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    static Instant fromNanos(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    static Long parseNanos(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "Node[" + pool + " " + id + (clientOnly ? ", client-only" : "") + (closed ? ", closed" : "") + "]";
    }
}
