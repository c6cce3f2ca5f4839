package io.pulse.streaming;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.pulse.core.OutcomeUnknownException;
import io.pulse.core.PulseEventListener;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.LogThrottle;
import io.pulse.core.internal.RedisFacade;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * Sends the acknowledgements of one sink instance: those of single events gathered into one
 * {@code XACK} per stream (after a short delay, as soon as {@code maxQueued} are waiting, or when asked
 * to flush now), batches as given. Reports what Redis acknowledged to the facade's event listener.
 * Thread-safe and non-blocking except {@link #flushAndWait}.
 *
 * <p>At least once: the future of an acknowledgement completes only when the {@code XACK} that
 * carried it was answered, and fails with the facade's typed error if that flush failed (the event
 * then stays pending and is redelivered after the grace period). An {@code XACK} whose answer was lost
 * is sent once more, since acknowledging twice does nothing more. The delayed flush runs on the
 * facade's scheduler, and replies only complete futures on the Redis I/O thread.
 */
final class AckCoalescer {

    /**
     * The acknowledgements of one stream waiting for the same flush: a future per caller (so that one
     * completing or cancelling its own touches no other), and one completed after all of them.
     */
    private static final class Batch {
        final List<String> ids = new ArrayList<>();
        final List<CompletableFuture<Void>> callers = new ArrayList<>();
        final CompletableFuture<Void> settled = new CompletableFuture<>();
    }

    private final RedisFacade redis;
    private final String sink;
    private final String what;
    private final Function<String, byte[]> streamKey;
    private final byte[] group;
    private final Duration delay;
    private final int maxQueued;
    private final Logger log;
    private final LogThrottle failures = new LogThrottle(Duration.ofSeconds(10));
    /** Guarded by {@code this}: the batches waiting, by stream name. */
    private Map<String, Batch> queued = new HashMap<>();
    private int queuedCount;
    private boolean flushScheduled;
    /** The flushes sent and not yet answered; guarded by {@code this}. */
    private final List<CompletableFuture<Void>> inFlight = new ArrayList<>();

    /**
     * @param sink the sink's name, for errors and events
     * @param streamKey the Redis key of a stream, by its name
     * @param delay how long the first acknowledgement of a batch waits for others (zero: it does not)
     * @param maxQueued how many waiting acknowledgements make a flush start at once
     */
    AckCoalescer(RedisFacade redis, String sink, Function<String, byte[]> streamKey, byte[] group, Duration delay,
            int maxQueued, Logger log) {
        this.redis = redis;
        this.sink = sink;
        this.what = "sink " + sink + ": ack";
        this.streamKey = streamKey;
        this.group = group;
        this.delay = delay;
        this.maxQueued = maxQueued;
        this.log = log;
    }

    /**
     * Queues the acknowledgement of entry {@code id} of stream {@code stream}; the future completes once
     * Redis answered the {@code XACK} carrying it. With {@code now}, the flush starts at once, carrying
     * everything queued.
     */
    CompletableFuture<Void> ack(String stream, String id, boolean now) {
        CompletableFuture<Void> done;
        boolean flushNow;
        boolean schedule = false;
        synchronized (this) {
            Batch batch = queued.computeIfAbsent(stream, s -> new Batch());
            batch.ids.add(id);
            done = new CompletableFuture<>();
            batch.callers.add(done);
            queuedCount++;
            flushNow = now || queuedCount >= maxQueued || delay.isZero();
            if (!flushNow && !flushScheduled) {
                flushScheduled = true;
                schedule = true;
            }
        }
        if (flushNow) {
            flush();
        } else if (schedule) {
            scheduleFlush();
        }
        return done;
    }

    private void scheduleFlush() {
        try {
            redis.scheduler().schedule(this::flush, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the facade is closing: send now; its refusal fails the futures with a closed error
            flush();
        }
    }

    /** Sends everything queued now: one {@code XACK} per stream. Returns when sent, not when answered. */
    void flush() {
        Map<String, Batch> toSend;
        synchronized (this) {
            flushScheduled = false;
            if (queuedCount == 0) {
                return;
            }
            toSend = queued;
            queued = new HashMap<>();
            queuedCount = 0;
            // in the same step as the swap, so that a flushAndWait never misses a batch being sent
            toSend.values().forEach(b -> inFlight.add(b.settled));
        }
        for (Map.Entry<String, Batch> entry : toSend.entrySet()) {
            send(entry.getKey(), entry.getValue());
        }
    }

    private void send(String stream, Batch batch) {
        byte[] key = streamKey.apply(stream);
        String[] ids = batch.ids.toArray(new String[0]);
        Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<Long>> xack = c -> c.xack(key, group, ids);
        redis.execute(what, xack)
                .exceptionallyCompose(e -> Futures.unwrap(e) instanceof OutcomeUnknownException
                        ? redis.execute(what, xack) : Futures.failed(e))
                .whenComplete((acked, error) -> {
                    try {
                        reportAcked(stream, acked);
                    } finally {
                        // even if a listener threw what the hook does not catch: no caller is left waiting
                        settle(batch, error == null ? null : Futures.unwrap(error));
                    }
                    Throwable cause = error == null ? null : Futures.unwrap(error);
                    if (cause != null) {
                        long heldBack = failures.tryLog();
                        if (heldBack >= 0) {
                            log.atWarn().addKeyValue("stream", stream).addKeyValue("events", ids.length)
                                    .addKeyValue("failuresNotLogged", heldBack).setCause(cause)
                                    .log("acknowledging events failed; they stay pending");
                        }
                    }
                });
    }

    private void settle(Batch batch, Throwable cause) {
        for (CompletableFuture<Void> caller : batch.callers) {
            if (cause == null) {
                caller.complete(null);
            } else {
                caller.completeExceptionally(cause);
            }
        }
        synchronized (this) {
            inFlight.remove(batch.settled);
        }
        batch.settled.complete(null);
    }

    /**
     * Acknowledges the entries {@code idsByStream} lists, one {@code XACK} per stream, at once (a batch
     * gains nothing from waiting for others); completes with how many Redis acknowledged.
     */
    CompletableFuture<Long> ackBatch(Map<String, List<String>> idsByStream) {
        List<CompletableFuture<Long>> sent = new ArrayList<>(idsByStream.size());
        for (Map.Entry<String, List<String>> entry : idsByStream.entrySet()) {
            byte[] key = streamKey.apply(entry.getKey());
            String[] ids = entry.getValue().toArray(new String[0]);
            sent.add(redis.execute(what, c -> c.xack(key, group, ids))
                    .whenComplete((acked, error) -> reportAcked(entry.getKey(), acked)));
        }
        return CompletableFuture.allOf(sent.toArray(new CompletableFuture[0]))
                .thenApply(v -> sent.stream().mapToLong(f -> f.join() == null ? 0 : f.join()).sum());
    }

    private void reportAcked(String stream, Long acked) {
        if (acked != null && acked > 0) {
            PulseEventListener listener = redis.events();
            if (listener != PulseEventListener.NONE) {
                listener.streamAcked(stream, sink, acked);
            }
        }
    }

    /**
     * Flushes everything queued and waits (at most {@code timeout}) until every flush sent so far was
     * answered; failures were logged and reported to the futures, so they are not thrown here.
     *
     * @return whether every flush was answered in time
     */
    boolean flushAndWait(Duration timeout) {
        flush();
        CompletableFuture<?>[] waiting;
        synchronized (this) {
            waiting = inFlight.toArray(new CompletableFuture<?>[0]);
        }
        try {
            CompletableFuture.allOf(waiting).exceptionally(e -> null).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true; // cannot happen: failures were turned into completions above
        }
    }
}
