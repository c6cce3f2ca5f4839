package io.pulse.pool;

import io.pulse.core.ClosedException;
import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.core.PulseException;
import io.pulse.core.PulseRedis;
import io.pulse.core.internal.Args;
import io.pulse.core.internal.DaemonThreads;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.Names;
import io.pulse.core.internal.RedisFacade;
import io.pulse.core.internal.Ulid;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.rmap.internal.StateMaps;
import io.pulse.streaming.Reader;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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

    private final PoolConfig config;
    private final PulseRedis redis;
    private final RedisFacade facade;
    private final PoolNames names;
    private final Logger log;
    private final NodeResources resources;
    /** Where the listeners of the node's maps run (each only queues work elsewhere): one thread, not one per map. */
    private final ExecutorService mapListeners;
    private final LocalWorkers workers = new LocalWorkers();
    private final Liveness liveness;
    private final PoolView view;
    private final PoolMaps maps;
    private final PoolStreams streams;
    private final PoolContext context;
    private final Dispatcher dispatcher;
    private final JobCommands jobs;
    private final NodeMessages messages;
    /** The node's one blocking read: its node stream and every worker stream it hosts. */
    private final NodeReads reads;
    private final WorkerDepartures departures;
    private final Router router;
    private final PoolMaintenance maintenance;
    private final NodeLifecycle lifecycle;

    /**
     * Joins the pool: its maps, streams and loops, in an order that no other node can misread (the
     * keep-alive before anything routes here, the node stream before anything is sent to it).
     * Blocking; what it opened is in {@code resources} should it fail.
     */
    private Node(PoolConfig config, PulseRedis redis, NodeResources resources) {
        this.config = config;
        this.redis = redis;
        this.facade = RedisFacade.of(redis);
        this.names = new PoolNames(config.pool(), facade.layout());
        this.log = config.log();
        this.resources = resources;
        this.mapListeners = Executors.newSingleThreadExecutor(DaemonThreads.named("pool", config.pool() + "-events"));
        resources.add(mapListeners::shutdown); // added first: shut down after every map closed
        String id = config.nodeId();
        ReplicatedMap shutdownMap = map(PoolMap.SHUTDOWN);
        if (shutdownMap.size() > 0) {
            throw new PulseException("pool \"" + config.pool() + "\" is shutting down: cannot join it");
        }
        ReplicatedMap keepAliveTtls = map(PoolMap.KEEPALIVE_TTL);
        this.liveness = new Liveness(keepAliveTtls, config.workerTtl(), log);
        this.view = new PoolView(names, facade, liveness, log);
        StateLossRecovery recovery = new StateLossRecovery(config, facade, names, liveness, workers);
        recovery.join();
        ReplicatedMap nodeKeepAlives = map(PoolMap.NODE_KEEPALIVE);
        liveness.publish(id);
        nodeKeepAlives.set(id, Long.toString(PoolClock.nowNanos()));
        Stream poolStream = Stream.builder(names.poolStream(), redis).maxLen(0).logger(log).open();
        Stream nodeStream = Stream.builder(names.nodeStream(id), redis).logger(log).open();
        this.streams = new PoolStreams(poolStream, nodeStream, names, redis);
        this.dispatcher = new Dispatcher(names, id, facade, poolStream, config.ackGrace(), config.maxQueuedJobs(),
                view::jobKeysInRedis, log);
        this.messages = new NodeMessages(config, names, redis);
        this.maps = config.clientOnly() ? PoolMaps.clientOnly(shutdownMap, nodeKeepAlives, keepAliveTtls)
                : PoolMaps.full(shutdownMap, nodeKeepAlives, keepAliveTtls, this::map);
        if (!config.clientOnly()) {
            view.attach(maps); // a client-only node joins no more maps: its view reads Redis
        }
        this.context = new PoolContext(config, facade, names, maps, streams, liveness, view);
        this.departures = new WorkerDepartures(context);
        Sink poolSink = null;
        this.router = config.clientOnly() ? null : new Router(config, view, streams, messages);
        if (router != null) {
            // the group starts at the oldest event: jobs dispatched before any worker node existed wait
            poolSink = resources.add(poolStream.sink(names.poolSink()).startAtOldest().blockDuration(config.sinkBlock())
                    .ackGracePeriod(config.ackGrace()).open());
            router.attach(poolSink);
            resources.add(poolSink.subscribe(router::route));
        }
        this.lifecycle = new NodeLifecycle(context, recovery, workers, departures, dispatcher, resources, poolSink,
                this);
        if (!config.clientOnly()) {
            resources.add(shutdownMap.subscribe(e -> lifecycle.onShutdownMapChange()));
        }
        this.jobs = new JobCommands(config, dispatcher, poolStream, lifecycle::isLeaving, facade.syncTimeout());
        nodeStream.add(EventKind.INIT.code(), id.getBytes(StandardCharsets.UTF_8));
        Reader nodeReader = resources.add(nodeStream.reader().startAtOldest().blockDuration(config.sinkBlock()).open());
        messages.attach(router, dispatcher);
        this.reads = resources.add(new NodeReads(nodeReader, nodeStream.name(), messages::onEvent, config.pool(), log,
                facade.tracing()));
        resources.add(reads.start());
        recovery.attach(maps, nodeStream, dispatcher);
        this.maintenance = resources.add(new PoolMaintenance(context, recovery, workers, departures, dispatcher));
        maintenance.start(resources, lifecycle::isLeaving);
        log.atInfo().addKeyValue("pool", config.pool()).addKeyValue("node", id)
                .addKeyValue("clientOnly", config.clientOnly()).addKeyValue("workerTtl", config.workerTtl())
                .addKeyValue("ackGracePeriod", config.ackGrace()).addKeyValue("maxQueuedJobs", config.maxQueuedJobs())
                .log("joined pool");
        facade.events().nodeJoined(config.pool(), id);
    }

    private ReplicatedMap map(PoolMap map) {
        return resources.add(StateMaps.builder(names.map(map), redis).logger(log).executor(mapListeners).join());
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
        private KeyHasher hasher = JumpHash::bucket;

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

        /** Where handler calls run (default: the threads the node's workers share, one per busy worker). */
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
        Builder hasher(KeyHasher hasher) {
            this.hasher = Objects.requireNonNull(hasher, "hasher");
            return this;
        }

        /**
         * Joins the pool; blocks until the node's maps, streams and loops are up.
         *
         * @throws PulseException if the pool is shutting down or Redis fails
         */
        public Node join() {
            RedisFacade facade = RedisFacade.of(redis);
            facade.ensureOpen("join pool " + pool);
            PoolConfig config = new PoolConfig(pool, Ulid.next(), clientOnly, workerTtl, workerShutdownTtl,
                    maxQueuedJobs, ackGrace, sinkBlock, executor, log, hasher);
            NodeResources resources = new NodeResources(log);
            try {
                Node node = new Node(config, redis, resources);
                facade.register(node, listener -> {
                    listener.nodeJoined(pool, node.id());
                    node.workers.list().forEach(w -> listener.workerAdded(pool, w.id()));
                });
                return node;
            } catch (RuntimeException e) {
                resources.close();
                throw e;
            }
        }
    }

    // ------------------------------------------------------------------ jobs

    /**
     * Starts the job {@code key} with {@code payload} on the worker its key routes to, and returns once
     * that worker's {@link JobHandler#start} returned. Waits at most twice the ack grace period.
     *
     * @throws JobExistsException if a job with that key runs or is being dispatched
     * @throws JobStartException if the handler's start threw (carries its message)
     * @throws PoolFullException if {@code maxQueuedJobs} dispatches are already in flight
     * @throws ClosedException if this node is closed
     * @throws OutcomeUnknownException when no start result came within twice the ack grace period: the
     *     job may still start later (a job that the jobs map in Redis lists by then counts as started,
     *     not as a failure)
     * @throws PulseException on another Redis failure, of the type that says whether it was sent
     */
    public void dispatchJob(String key, byte[] payload) {
        Futures.await(dispatchJobAsync(key, payload), jobs.dispatchTimeout(),
                "pool " + config.pool() + ": dispatch job " + key);
    }

    /** Async twin of {@link #dispatchJob}. */
    public CompletableFuture<Void> dispatchJobAsync(String key, byte[] payload) {
        return jobs.dispatch(key, payload);
    }

    /**
     * Asks the job's current owner to stop it; returns once the request is queued (unknown keys are
     * dropped by the pool).
     */
    public void stopJob(String key) {
        jobs.stop(key);
    }

    /** Sends {@code payload} to the handler of the job {@code key}; returns once queued. */
    public void notifyWorker(String key, byte[] payload) {
        jobs.notify(key, payload);
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

    // ------------------------------------------------------------------ workers

    /**
     * Adds a worker running jobs with {@code handler}; blocks until it is registered in the pool.
     *
     * @throws IllegalStateException on a client-only node
     */
    public Worker addWorker(JobHandler handler) {
        Objects.requireNonNull(handler, "handler");
        ensureOpen("addWorker");
        requireFull("host workers");
        Worker worker = new Worker(context, messages, reads, handler);
        workers.add(worker);
        try {
            worker.start();
        } catch (RuntimeException e) {
            workers.remove(worker);
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
        if (!workers.remove(worker)) {
            return;
        }
        worker.stopLoops();
        departures.markRemoving(List.of(worker));
        departures.requeueJobs(worker);
        departures.forget(worker);
        log.atInfo().addKeyValue("pool", config.pool()).addKeyValue("worker", worker.id()).log("removed worker");
    }

    /** The workers this node hosts. */
    public List<WorkerInfo> workers() {
        List<WorkerInfo> out = new ArrayList<>();
        workers.list().forEach(w -> out.add(new WorkerInfo(w.id(), w.createdAt())));
        out.sort(Comparator.comparing(WorkerInfo::createdAt).thenComparing(WorkerInfo::id));
        return out;
    }

    /** Every worker of the pool (all nodes), ordered by creation; read from Redis on client-only nodes. */
    public List<WorkerInfo> poolWorkers() {
        return view.poolWorkers();
    }

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
        return resources.add(newTicker(name, interval, false));
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
        ReplicatedMap jobMap = StateMaps.builder(names.scheduleMap(name), redis).logger(log).executor(mapListeners)
                .join();
        Ticker ticker;
        try {
            ticker = newTicker(name, interval, true);
        } catch (RuntimeException e) {
            jobMap.close();
            throw e;
        }
        Schedule schedule = new Schedule(config, jobs, jobMap, ticker, name, producer);
        resources.add(schedule::cancel);
        return schedule;
    }

    private Ticker newTicker(String name, Duration interval, boolean firstTickNow) {
        return new Ticker(config, facade, names, maps.tickers(), name, interval, firstTickNow);
    }

    // ------------------------------------------------------------------ leaving

    /**
     * Leaves the pool: this node's workers stop, their jobs are stopped here and started on other
     * nodes' workers, its maps and streams are released. Client-only nodes just release theirs.
     * Idempotent; blocks until done (each handler stop bounded by {@code workerShutdownTtl}).
     */
    @Override
    public void close() {
        lifecycle.leave(true);
    }

    /**
     * Stops the whole pool: every node stops its workers' jobs (nothing is requeued) and leaves, then
     * the pool's maps and stream are deleted. Returns once this node is done and the other nodes have
     * left, or after {@code workerShutdownTtl}.
     *
     * @throws IllegalStateException on a client-only node
     */
    public void shutdown() {
        requireFull("shut the pool down");
        lifecycle.shutdownPool();
    }

    /** Whether this node left the pool (close, shutdown, or the pool's shutdown). */
    public boolean isClosed() {
        return lifecycle.isLeft();
    }

    /** Whether this node stopped because the pool was shut down. */
    public boolean isShutdown() {
        return lifecycle.isShutdown();
    }

    /** The node's id (a ULID). */
    public String id() {
        return config.nodeId();
    }

    /** The pool's name. */
    public String poolName() {
        return config.pool();
    }

    @Override
    public String toString() {
        return "Node[" + config.pool() + " " + config.nodeId() + (config.clientOnly() ? ", client-only" : "")
                + (isClosed() ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ for this package's tests

    PoolMaps maps() {
        return maps;
    }

    PoolView view() {
        return view;
    }

    PoolMaintenance maintenance() {
        return maintenance;
    }

    WorkerDepartures departures() {
        return departures;
    }

    Router router() {
        return router;
    }

    int waitingDispatches() {
        return dispatcher.waiting();
    }

    // ------------------------------------------------------------------ helpers

    private void requireFull(String op) {
        if (config.clientOnly()) {
            throw new IllegalStateException("pool " + config.pool() + ": a client-only node cannot " + op);
        }
    }

    private void ensureOpen(String op) {
        if (lifecycle.isLeaving()) {
            throw new ClosedException("pool " + config.pool() + ": node " + config.nodeId() + " is closed: cannot " + op);
        }
    }
}
