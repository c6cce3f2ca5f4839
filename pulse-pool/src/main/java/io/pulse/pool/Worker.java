package io.pulse.pool;

import io.lettuce.core.ScriptOutputType;
import io.pulse.core.ClosedException;
import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.core.PulseEventListener;
import io.pulse.core.PulseException;
import io.pulse.core.internal.DaemonThreads;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.RedisFacade;
import io.pulse.core.internal.Ulid;
import io.pulse.streaming.AddOptions;
import io.pulse.streaming.Event;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;

/**
 * A thread-safe worker of a node that runs the jobs routed to it by calling its {@link JobHandler},
 * one event at a time: the node's one read of its streams hands this worker's events to a queue of its
 * own, handled on a thread the node's workers share (handler calls run on the node's executor if one
 * was given), so a slow handler delays only this worker. Created by {@code Node.addWorker}; removed
 * by {@code Node.removeWorker} or when its node closes.
 */
public final class Worker {

    private final PoolConfig config;
    private final RedisFacade facade;
    private final PoolMaps maps;
    private final Liveness liveness;
    private final NodeMessages messages;
    private final NodeReads reads;
    private final String id = Ulid.next();
    private final Instant createdAt = Instant.now();
    private final JobHandler handler;
    private final Executor executor;
    /**
     * Runs handler calls that have a time limit (a stop when jobs move or the node leaves) when no
     * executor was given, so the caller can stop waiting: one thread at most, started by the first such
     * call and ended after a few idle seconds. A call that never returns keeps it, and later ones wait
     * behind it, as they would for the handler's lock anyway.
     */
    private final ThreadPoolExecutor timedCalls;
    private final Logger log;
    private final Stream stream;
    /** The jobs map's hash and channel, then the payloads map's: the keys of {@code record_job}. */
    private final byte[][] recordKeys;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    /** Handler calls never overlap, whichever thread makes them (worker loop, rebalancing, departure). */
    private final java.util.concurrent.locks.ReentrantLock handlerLock = new java.util.concurrent.locks.ReentrantLock();
    private ScheduledFuture<?> keepAlive;
    private volatile boolean stopped;
    private volatile boolean retired;
    private volatile boolean registered;

    Worker(PoolContext context, NodeMessages messages, NodeReads reads, JobHandler handler) {
        this.config = context.config();
        this.facade = context.facade();
        this.maps = context.maps();
        this.liveness = context.liveness();
        this.messages = messages;
        this.reads = reads;
        this.handler = handler;
        this.executor = config.executor();
        this.timedCalls = new ThreadPoolExecutor(0, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                DaemonThreads.named("worker-call", id));
        this.log = config.log();
        this.stream = context.streams().worker(id);
        PoolNames names = context.names();
        this.recordKeys = new byte[][] {names.mapContentKey(PoolMap.JOBS), names.mapUpdatesChannel(PoolMap.JOBS),
            names.mapContentKey(PoolMap.JOB_PAYLOADS), names.mapUpdatesChannel(PoolMap.JOB_PAYLOADS)};
    }

    /**
     * Joins the pool: keep-alive first, then its stream, then the workers map (which makes routers
     * send it jobs), so no node can take it for dead and no routed event finds no stream.
     */
    void start() {
        liveness.publish(id);
        maps.workerKeepAlives().setAndWait(id, Long.toString(PoolClock.nowNanos()));
        stream.add(EventKind.INIT.code(), PoolCodec.envelope(config.nodeId(), id.getBytes(StandardCharsets.UTF_8)));
        reads.attach(stream, this::handle);
        long period = Math.max(1, config.workerTtl().toMillis() / 2);
        keepAlive = facade.scheduler().scheduleWithFixedDelay(this::keepAlive, period, period, TimeUnit.MILLISECONDS);
        maps.workers().setAndWait(id, Long.toString(PoolClock.toNanos(createdAt)));
        registered = true;
        log.atInfo().addKeyValue("pool", config.pool()).addKeyValue("worker", id).log("worker added");
        facade.events().workerAdded(config.pool(), id);
    }

    /**
     * Refreshes the keep-alive, also while the worker is leaving (so no node takes its jobs for a dead
     * worker's before they are requeued), and recreates the worker's stream if it was deleted while the
     * worker still runs (events routed to it would otherwise never arrive).
     */
    private void keepAlive() {
        if (retired) {
            return;
        }
        liveness.publishAsync(id);
        maps.workerKeepAlives().setAsync(id, Long.toString(PoolClock.nowNanos())).exceptionally(e -> {
            log.atWarn().addKeyValue("worker", id).setCause(e).log("worker keep-alive failed; will retry");
            return null;
        });
        if (stopped) {
            return;
        }
        byte[] init = PoolCodec.envelope(config.nodeId(), id.getBytes(StandardCharsets.UTF_8));
        stream.addAsync(EventKind.INIT.code(), init, AddOptions.onlyIfStreamExists()).thenAccept(added -> {
            if (added == null && !stopped) {
                log.atWarn().addKeyValue("pool", config.pool()).addKeyValue("worker", id)
                        .log("worker stream was deleted while the worker runs; recreating it");
                stream.addAsync(EventKind.INIT.code(), init);
            }
        }).exceptionally(e -> null);
    }

    /**
     * Writes this worker into the pool again after Redis lost the pool's state: TTL, keep-alive,
     * stream, workers map entry, and each running job with its payload, so the pool routes to it and
     * does not admit a second job under a key it runs. Blocking; returns the number of jobs recorded.
     */
    int registerAgain() {
        liveness.republish(id);
        maps.workerKeepAlives().set(id, Long.toString(PoolClock.nowNanos()));
        stream.add(EventKind.INIT.code(), PoolCodec.envelope(config.nodeId(), id.getBytes(StandardCharsets.UTF_8)));
        maps.workers().set(id, Long.toString(PoolClock.toNanos(createdAt)));
        List<Job> running = new ArrayList<>(jobs.values());
        for (Job job : running) {
            awaitWrite(recordJob(job));
            if (jobs.get(job.key()) != job) {
                // stopped or moved meanwhile: take back what was just written for it
                maps.jobs().removeValuesAsync(id, job.key());
            }
        }
        return running.size();
    }

    // ------------------------------------------------------------------ events

    /** Outcome of one routed event: acknowledge with this error text ("" = success), or not at all. */
    private record Outcome(boolean ack, String error) {
        static final Outcome OK = new Outcome(true, "");
        static final Outcome RETRY = new Outcome(false, "");

        static Outcome failed(String error) {
            return new Outcome(true, error == null || error.isEmpty() ? "failed" : error);
        }
    }

    private void handle(Event event) {
        PoolCodec.Envelope envelope;
        try {
            if (EventKind.of(event.eventName()) == EventKind.INIT) {
                return;
            }
            envelope = PoolCodec.decodeEnvelope(event.payload());
        } catch (PoolCodec.MalformedException e) {
            log.atError().addKeyValue("worker", id).addKeyValue("event", event.id()).addKeyValue("reason", e.getMessage())
                    .log("skipped a malformed worker event");
            return;
        }
        Outcome outcome;
        try {
            EventKind kind = EventKind.of(event.eventName());
            if (kind == EventKind.START) {
                outcome = startJob(PoolCodec.decodeJob(envelope.inner()));
            } else if (kind == EventKind.STOP) {
                outcome = stopJob(PoolCodec.decodeKey(envelope.inner()));
            } else if (kind == EventKind.NOTIFY) {
                outcome = notify(PoolCodec.decodeNotification(envelope.inner()));
            } else {
                outcome = Outcome.OK;
            }
        } catch (PoolCodec.MalformedException e) {
            log.atError().addKeyValue("worker", id).addKeyValue("event", event.id()).addKeyValue("reason", e.getMessage())
                    .log("skipped a malformed job record");
            outcome = Outcome.failed("malformed event: " + e.getMessage());
        } catch (RuntimeException e) {
            // a Redis failure while recording the job: let the pool redeliver the event
            log.atWarn().addKeyValue("worker", id).addKeyValue("event", event.id()).setCause(e)
                    .log("event failed; it will be redelivered");
            outcome = Outcome.RETRY;
        }
        if (outcome.ack()) {
            messages.ackToRouter(envelope.sender(), id, event.id(), outcome.error());
        }
    }

    private Outcome startJob(Job job) {
        if (stopped) {
            return Outcome.failed("worker " + id + " stopped");
        }
        if (jobs.containsKey(job.key())) {
            // a duplicate start (redelivery, recovery of an entry lost from the jobs map): the job
            // already runs here, so only make sure the pool's jobs map says so again
            awaitWrite(maps.jobs().appendUniqueValuesAsync(id, job.key()));
            log.atDebug().addKeyValue("worker", id).addKeyValue("job", job.key()).log("job already running here");
            return Outcome.OK;
        }
        try {
            awaitWrite(recordJob(job));
        } catch (RuntimeException e) {
            // the outcome may be unknown: take the key back out; the redelivered start records it again
            maps.jobs().removeValuesAsync(id, job.key());
            throw e;
        }
        PulseEventListener events = facade.events();
        long startedAt = events == PulseEventListener.NONE ? 0 : System.nanoTime();
        try {
            call(() -> {
                handler.start(job);
                return null;
            }, null);
        } catch (Exception e) {
            maps.jobs().removeValuesAsync(id, job.key());
            if (!job.requeued()) {
                maps.payloads().deleteAsync(job.key());
            }
            log.atWarn().addKeyValue("worker", id).addKeyValue("job", job.key()).setCause(e).log("job failed to start");
            events.jobFailed(config.pool(), id, job.key(), message(e));
            return Outcome.failed(message(e));
        }
        jobs.put(job.key(), job);
        log.atInfo().addKeyValue("pool", config.pool()).addKeyValue("worker", id).addKeyValue("job", job.key())
                .addKeyValue("requeued", job.requeued()).log("started job");
        if (events != PulseEventListener.NONE) {
            events.jobStarted(config.pool(), id, job.key(), System.nanoTime() - startedAt);
        }
        return Outcome.OK;
    }

    private Outcome stopJob(String key) {
        Released released = release(key, config.workerShutdownTtl());
        if (released == null) {
            // not here (any more): a move raced this stop; it reaches the new owner on redelivery
            return Outcome.RETRY;
        }
        String error = released.error();
        maps.payloads().deleteAsync(key);
        log.atInfo().addKeyValue("pool", config.pool()).addKeyValue("worker", id).addKeyValue("job", key)
                .log("stopped job");
        return error == null ? Outcome.OK : Outcome.failed(error);
    }

    /** A job taken off this worker: the job, and the handler's stop error (or {@code null}). */
    record Released(Job job, String error) {
    }

    /**
     * Takes the job {@code key} off this worker if it runs here, calling the handler's stop (bounded by
     * {@code timeout}) and removing it from the jobs map even if the handler failed: the pool then
     * considers it stopped here. Returns {@code null} if the job does not run here, so that of a stop
     * and a move racing for one job, exactly one acts on it.
     */
    Released release(String key, Duration timeout) {
        Job job = jobs.remove(key);
        if (job == null) {
            return null;
        }
        String error = null;
        try {
            call(() -> {
                handler.stop(key);
                return null;
            }, timeout);
        } catch (Exception e) {
            error = "failed to stop job \"" + key + "\": " + message(e);
            log.atError().addKeyValue("worker", id).addKeyValue("job", key).setCause(e).log("handler failed to stop job");
        }
        maps.jobs().removeValuesAsync(id, key);
        facade.events().jobStopped(config.pool(), id, key);
        return new Released(job, error);
    }

    private Outcome notify(PoolCodec.Notification n) {
        if (stopped) {
            return Outcome.OK;
        }
        if (!jobs.containsKey(n.key())) {
            return Outcome.RETRY;
        }
        try {
            call(() -> {
                handler.handleNotification(n.key(), n.payload());
                return null;
            }, null);
            return Outcome.OK;
        } catch (Exception e) {
            return Outcome.failed(message(e));
        }
    }

    /** Runs a handler call on the executor (or this thread) and waits, at most {@code timeout} if given. */
    private void call(Callable<Void> unguarded, Duration timeout) throws Exception {
        Callable<Void> body = () -> {
            handlerLock.lock();
            try {
                return unguarded.call();
            } finally {
                handlerLock.unlock();
            }
        };
        if (executor == null && timeout == null) {
            body.call();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                body.call();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        };
        (executor != null ? executor : timedCalls).execute(task);
        try {
            if (timeout == null) {
                done.join();
            } else {
                done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw (Error) cause;
        } catch (TimeoutException e) {
            throw new PulseException("the handler did not return within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PulseException("interrupted", e);
        }
    }

    /**
     * Appends the job's key to this worker's job list and writes its payload in one script (one round
     * trip, both changes published as the maps' own writes would). Fails with {@link ClosedException}
     * once the node closed its maps, like their own writes.
     */
    private CompletableFuture<Long> recordJob(Job job) {
        if (maps.jobs().isClosed()) {
            return Futures.failed(new ClosedException("worker " + id + ": the pool's maps are closed"));
        }
        return PoolScripts.RECORD_JOB.run(facade, ScriptOutputType.INTEGER, recordKeys,
                id.getBytes(StandardCharsets.UTF_8), job.key().getBytes(StandardCharsets.UTF_8), job.payload());
    }

    private <T> T awaitWrite(CompletableFuture<T> write) {
        return Futures.await(write, facade.syncTimeout(), "worker " + id + ": record job");
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Stops reading events; running jobs are left to the caller, and the keep-alive goes on until
     * {@link #retire()}. Idempotent.
     */
    void stopLoops() {
        if (stopped) {
            return;
        }
        stopped = true;
        reads.detach(stream);
    }

    /** Stops the keep-alive: the worker has left the pool's maps. Idempotent. */
    void retire() {
        stopLoops();
        retired = true;
        if (keepAlive != null) {
            keepAlive.cancel(false);
        }
    }

    /** The jobs running here, by key. */
    Map<String, Job> runningJobs() {
        return jobs;
    }

    /** Forgets a job without calling the handler (after it was requeued elsewhere). */
    void forget(String key) {
        jobs.remove(key);
    }

    Stream stream() {
        return stream;
    }

    /** The worker's id (a ULID). */
    public String id() {
        return id;
    }

    /** When the worker joined the pool (its routing order). */
    public Instant createdAt() {
        return createdAt;
    }

    /** The keys of the jobs running on this worker, sorted. */
    public List<String> jobKeys() {
        return new ArrayList<>(new TreeMap<>(jobs).keySet());
    }

    /** Whether the worker finished joining the workers map (only then can it be missing from it). */
    boolean isRegistered() {
        return registered;
    }

    /** Whether the worker stopped (removed, or its node closed). */
    public boolean isStopped() {
        return stopped;
    }

    @Override
    public String toString() {
        return "Worker[" + id + ", " + jobs.size() + " jobs" + (stopped ? ", stopped" : "") + "]";
    }
}
