package io.pulse.pool;

import io.lettuce.core.ScriptOutputType;
import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.core.OutcomeUnknownException;
import io.pulse.core.PulseEventListener;
import io.pulse.core.PulseException;
import io.pulse.core.TracePropagation;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.RedisFacade;
import io.pulse.streaming.AddOptions;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The dispatch of new jobs from one node: the atomic claim of the key in Redis (so lagging replicas
 * never decide admission), the start event on the pool stream, the wait for the worker's result, and
 * the release of the claim's guard whatever happened. Thread-safe.
 */
final class Dispatcher {

    private static final AddOptions[] NO_OPTIONS = {};

    private final String pool;
    private final PoolNames names;
    private final String nodeId;
    private final RedisFacade redis;
    private final Stream poolStream;
    private final Duration ackGrace;
    private final int maxQueuedJobs;
    private final Logger log;
    private final DispatchResults results = new DispatchResults();
    private final byte[][] claimKeys;
    private final byte[][] releaseKeys;
    private final Supplier<CompletableFuture<Set<String>>> jobsInRedis;

    /**
     * @param jobsInRedis reads the keys of every job some worker lists in the jobs map in Redis, the
     *     truth a dispatch whose result was lost or late falls back on
     */
    Dispatcher(PoolNames names, String nodeId, RedisFacade redis, Stream poolStream, Duration ackGrace, int maxQueuedJobs,
            Supplier<CompletableFuture<Set<String>>> jobsInRedis, Logger log) {
        this.jobsInRedis = jobsInRedis;
        this.pool = names.pool();
        this.names = names;
        this.nodeId = nodeId;
        this.redis = redis;
        this.poolStream = poolStream;
        this.ackGrace = ackGrace;
        this.maxQueuedJobs = maxQueuedJobs;
        this.log = log;
        this.claimKeys = new byte[][] {names.mapContentKey(PoolMap.JOB_PAYLOADS),
            names.mapContentKey(PoolMap.PENDING_JOBS), names.mapUpdatesChannel(PoolMap.PENDING_JOBS)};
        this.releaseKeys = new byte[][] {names.mapContentKey(PoolMap.PENDING_JOBS),
            names.mapUpdatesChannel(PoolMap.PENDING_JOBS)};
    }

    /** Claims, starts and awaits a new job; as the public dispatchJob of a node promises. */
    CompletableFuture<Void> dispatch(String key, byte[] payload) {
        long now = PoolClock.nowNanos();
        String deadline = Long.toString(now + ackGrace.multipliedBy(2).toNanos());
        Job job = new Job(key, payload, PoolClock.fromNanos(now), nodeId, false);
        PulseEventListener events = redis.events();
        long started = events == PulseEventListener.NONE ? 0 : System.nanoTime();
        // captured here, on the caller's thread: the add below runs on a Redis I/O thread
        TracePropagation tracing = redis.tracing();
        AddOptions[] trace = tracing == TracePropagation.NONE ? NO_OPTIONS
                : new AddOptions[] {AddOptions.traceContext(tracing.capture())};
        CompletableFuture<Void> dispatched = PoolScripts.CLAIM_DISPATCH.<List<Object>>run(redis, ScriptOutputType.MULTI, claimKeys, bytes(key),
                        bytes(Long.toString(now)), bytes(deadline), bytes(Integer.toString(maxQueuedJobs)))
                .thenCompose(claim -> {
                    long status = claim.size() == 2 && claim.get(0) instanceof Long l ? l : -1;
                    String detail = claim.size() == 2 && claim.get(1) instanceof byte[] b ? string(b) : "";
                    if (status == 1) {
                        return startClaimed(job, detail, trace);
                    }
                    RuntimeException refusal = switch ((int) status) {
                        case 2 -> new JobExistsException("job \"" + key + "\" is already being dispatched");
                        case 3 -> new JobExistsException("job \"" + key + "\" already exists");
                        case 4 -> new PulseException("malformed pending guard for job \"" + key + "\": \"" + detail + "\"");
                        case 5 -> new PoolFullException("pool " + pool + " already has " + detail
                                + " dispatches in flight (maxQueuedJobs " + maxQueuedJobs + ")");
                        default -> new PulseException("unexpected claim result for job \"" + key + "\": " + claim);
                    };
                    return Futures.failed(refusal);
                });
        if (events != PulseEventListener.NONE) {
            dispatched.whenComplete((v, e) -> events.jobDispatched(pool, key, System.nanoTime() - started,
                    Futures.failureName(e)));
        }
        return dispatched;
    }

    private CompletableFuture<Void> startClaimed(Job job, String token, AddOptions[] trace) {
        CompletableFuture<Void> outcome = poolStream.addAsync(EventKind.START.code(), PoolCodec.job(job), trace).thenCompose(eventId -> {
            log.atInfo().addKeyValue("pool", pool).addKeyValue("job", job.key()).addKeyValue("event", eventId)
                    .log("job dispatched");
            CompletableFuture<PoolCodec.Ack> result = results.register(eventId, job.key());
            Duration wait = ackGrace.multipliedBy(2);
            ScheduledFuture<?> timer = redis.scheduler().schedule(() -> timedOut(job.key(), eventId, result, wait),
                    wait.toMillis(), TimeUnit.MILLISECONDS);
            return result.whenComplete((a, e) -> timer.cancel(false)).thenApply(ack -> {
                if (!ack.ok()) {
                    throw new JobStartException("job \"" + job.key() + "\" failed to start: " + ack.error());
                }
                return (Void) null;
            });
        });
        return outcome.whenComplete((v, e) -> releaseGuard(job.key(), token));
    }

    /**
     * No result came in time: it may have been lost (a node stream deleted, Redis restarted) although
     * the job started, so the jobs map in Redis decides before the dispatch fails.
     */
    private void timedOut(String key, String eventId, CompletableFuture<PoolCodec.Ack> result, Duration wait) {
        // completes the dispatch off the Redis I/O thread, where its callers' continuations must not run
        jobsInRedis.get().whenCompleteAsync((started, error) -> {
            if (error == null && started.contains(key)) {
                log.atInfo().addKeyValue("pool", pool).addKeyValue("job", key)
                        .log("no start result arrived, but the jobs map lists the job: it started");
                results.complete(new PoolCodec.Ack(eventId, ""));
            } else if (result.completeExceptionally(new OutcomeUnknownException("job \"" + key
                    + "\" was not started within " + wait + " (it may still start later)"))) {
                results.forget(eventId);
            }
        }, redis.scheduler());
    }

    /**
     * Completes the waiting dispatches whose job the jobs map in Redis lists (their results may have
     * been lost with this node's stream); the others keep waiting.
     */
    void confirmFromRedis() {
        Map<String, String> waiting = results.waitingKeys();
        if (waiting.isEmpty()) {
            return;
        }
        jobsInRedis.get().thenAcceptAsync(started -> waiting.forEach((eventId, key) -> {
            if (started.contains(key)) {
                results.complete(new PoolCodec.Ack(eventId, ""));
            }
        }), redis.scheduler()).exceptionally(e -> null);
    }

    /** Removes the dispatch guard if it still holds this dispatch's token. */
    private void releaseGuard(String key, String token) {
        PoolScripts.RELEASE_DISPATCH.<Long>run(redis, ScriptOutputType.INTEGER, releaseKeys, bytes(key), bytes(token))
                .exceptionally(e -> {
                    log.atWarn().addKeyValue("job", key).setCause(e).log("releasing a dispatch guard failed; it expires");
                    return null;
                });
    }

    /** A dispatch result arrived on the node stream. */
    void onResult(PoolCodec.Ack ack) {
        results.complete(ack);
    }

    /** Fails every dispatch still waiting (the node leaves). */
    void failAll(RuntimeException cause) {
        results.failAll(cause);
    }

    int waiting() {
        return results.waitingCount();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
