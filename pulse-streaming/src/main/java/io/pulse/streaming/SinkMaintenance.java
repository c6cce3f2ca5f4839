package io.pulse.streaming;

import io.lettuce.core.Consumer;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.pulse.core.internal.Backoff;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.LogThrottle;
import io.pulse.core.internal.RedisFacade;
import io.pulse.rmap.ReplicatedMap;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * The background work of one sink instance, on the facade's scheduler and never blocking it: the
 * keep-alive of its consumer, and — whenever it wins the sink's short lease — re-claiming events left
 * unacknowledged longer than the ack grace period (by any instance, alive or dead) and removing
 * consumers whose keep-alive went stale. Delivery of events never delays this work.
 */
final class SinkMaintenance implements AutoCloseable {

    private final String sinkName;
    private final String consumer;
    private final byte[] group;
    private final SinkStateMaps state;
    private final Owner owner;
    private final RedisFacade redis;
    private final Logger log;
    private final Duration ackGrace;
    private final Duration claimPeriod;
    private final AtomicBoolean claiming = new AtomicBoolean();
    private final AtomicBoolean keepingAlive = new AtomicBoolean();
    /** By lease key: a layout may give all streams of a sink one lease, taken once per round. */
    private final Map<String, Lease> leases = new ConcurrentHashMap<>();
    private ScheduledFuture<?> keepAliveTask;
    private ScheduledFuture<?> claimTask;

    /** What the maintenance needs of the sink instance it works for. */
    interface Owner {
        /** The streams the instance consumes now. */
        List<Stream> streams();

        boolean isClosed();

        /** Hands over events re-claimed for the instance's consumer, to be delivered again. */
        void reclaimed(List<StreamMessage<byte[], byte[]>> messages);
    }

    SinkMaintenance(String sinkName, String consumer, SinkStateMaps state, Owner owner, RedisFacade redis,
            Logger log, Duration ackGrace, Duration claimPeriod) {
        this.sinkName = sinkName;
        this.consumer = consumer;
        this.group = Stream.bytes(sinkName);
        this.state = state;
        this.owner = owner;
        this.redis = redis;
        this.log = log;
        this.ackGrace = ackGrace;
        this.claimPeriod = claimPeriod;
    }

    void start() {
        long keepAliveMs = Math.max(1, ackGrace.toMillis() / 2);
        keepAliveTask = redis.scheduler().scheduleWithFixedDelay(this::keepAlive, keepAliveMs, keepAliveMs,
                TimeUnit.MILLISECONDS);
        long claimMs = claimPeriod.toMillis();
        claimTask = redis.scheduler().scheduleWithFixedDelay(this::claimRound, claimMs, claimMs, TimeUnit.MILLISECONDS);
    }

    // ---- keep-alive ----

    private void keepAlive() {
        if (owner.isClosed() || !keepingAlive.compareAndSet(false, true)) {
            return;
        }
        List<CompletableFuture<?>> writes = new ArrayList<>();
        String now = Long.toString(nowNanos());
        for (ReplicatedMap keepAlives : state.keepAliveMaps()) {
            writes.add(keepAlives.setAsync(this.consumer, now));
        }
        for (ReplicatedMap registry : state.registries()) {
            // another instance may have removed this consumer as stale while this process was paused
            if (!registry.getValues(sinkName).contains(this.consumer)) {
                writes.add(registry.appendUniqueValuesAsync(sinkName, this.consumer));
            }
        }
        CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).whenComplete((v, e) -> {
            keepingAlive.set(false);
            if (e != null && !owner.isClosed()) {
                log.atWarn().addKeyValue("sink", sinkName).addKeyValue("consumer", this.consumer).setCause(e)
                        .log("keep-alive failed; will retry");
            }
        });
    }

    static long nowNanos() {
        return System.currentTimeMillis() * 1_000_000L;
    }

    // ---- idle-event claims under the lease ----

    private void claimRound() {
        if (owner.isClosed() || !claiming.compareAndSet(false, true)) {
            return;
        }
        Map<String, List<Stream>> byLease = new LinkedHashMap<>();
        for (Stream stream : owner.streams()) {
            byLease.computeIfAbsent(redis.layout().sinkLeaseKey(stream.name(), sinkName), k -> new ArrayList<>())
                    .add(stream);
        }
        CompletableFuture<Void> round = CompletableFuture.completedFuture(null);
        for (Map.Entry<String, List<Stream>> group : byLease.entrySet()) {
            Lease lease = leases.computeIfAbsent(group.getKey(), Lease::new);
            round = round.thenCompose(v -> lease.turn())
                    .thenCompose(won -> won ? claimAndClean(group.getValue()) : CompletableFuture.completedFuture(null));
        }
        round.whenComplete((v, e) -> {
                    claiming.set(false);
                    if (e != null && !owner.isClosed()) {
                        log.atWarn().addKeyValue("sink", sinkName).setCause(e).log("idle-event check failed; will retry");
                    }
                });
    }

    /**
     * One short lease of the sink, competed for so that one instance runs each round. If the lease
     * cannot be used (its key holds another type, the user may not run the script, ...), the round goes
     * on without it — every instance then re-claims, which XAUTOCLAIM keeps safe — and the lease is
     * tried again after a growing delay, with one warning a minute.
     */
    private final class Lease {
        private final String key;
        private final Backoff backoff = new Backoff(claimPeriod, Duration.ofMinutes(1));
        private final LogThrottle warnings = new LogThrottle(Duration.ofMinutes(1));
        private volatile long retryAt = System.nanoTime();

        Lease(String key) {
            this.key = key;
        }

        /** Completes with whether this instance runs the round for the streams of this lease. */
        CompletableFuture<Boolean> turn() {
            return System.nanoTime() - retryAt < 0 ? CompletableFuture.completedFuture(true) : take();
        }

        private CompletableFuture<Boolean> take() {
            long now = System.currentTimeMillis();
            long leaseMs = Math.max(1, claimPeriod.toMillis() - 5);
            CompletableFuture<Long> lease = StreamScripts.STALE_LEASE.run(redis, ScriptOutputType.INTEGER,
                    new byte[][] {Stream.bytes(key)}, Stream.bytes(Long.toString(now + leaseMs)),
                    Stream.bytes(Long.toString(now)), Stream.bytes(Long.toString(leaseMs)));
            return lease.handle((won, e) -> {
                if (e == null) {
                    backoff.reset();
                    warnings.reset();
                    return won != null && won == 1L;
                }
                Duration delay = backoff.next();
                retryAt = System.nanoTime() + delay.toNanos();
                long heldBack = warnings.tryLog();
                if (heldBack >= 0 && !owner.isClosed()) {
                    log.atWarn().addKeyValue("sink", sinkName).addKeyValue("leaseKey", key)
                            .addKeyValue("retryIn", delay).addKeyValue("failuresNotLogged", heldBack)
                            .log("cannot use the claim lease ({}); re-claiming idle events without it",
                                    Futures.unwrap(e).getMessage());
                }
                return true;
            });
        }
    }

    private CompletableFuture<Void> claimAndClean(List<Stream> streams) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (Stream stream : streams) {
            chain = chain.thenCompose(v -> claimIdle(stream, "0-0", 0)).thenCompose(v -> removeStaleConsumers(stream));
        }
        return chain;
    }

    /** XAUTOCLAIMs, page by page, every entry idle at least the grace period to this consumer. */
    private CompletableFuture<Void> claimIdle(Stream stream, String cursor, int pages) {
        if (owner.isClosed() || pages >= 100) {
            return CompletableFuture.completedFuture(null);
        }
        XAutoClaimArgs<byte[]> args = XAutoClaimArgs.Builder
                .xautoclaim(Consumer.from(group, Stream.bytes(this.consumer)), ackGrace, cursor)
                .count(100);
        return redis.execute("sink " + sinkName + ": claim idle events", c -> c.xautoclaim(stream.key(), args))
                .thenCompose(claimed -> {
                    if (claimed == null) {
                        return CompletableFuture.completedFuture(null);
                    }
                    List<StreamMessage<byte[], byte[]>> messages = claimed.getMessages();
                    if (messages != null && !messages.isEmpty()) {
                        log.atInfo().addKeyValue("sink", sinkName).addKeyValue("stream", stream.name())
                                .addKeyValue("count", messages.size())
                                .log("re-claimed events left unacknowledged past the ack grace period");
                        redis.events().streamRedelivered(stream.name(), sinkName, messages.size());
                        owner.reclaimed(messages);
                    }
                    String next = nextCursor(claimed);
                    return next == null || next.equals("0-0") || next.equals("0")
                            ? CompletableFuture.completedFuture(null)
                            : claimIdle(stream, next, pages + 1);
                });
    }

    private static String nextCursor(ClaimedMessages<byte[], byte[]> claimed) {
        return claimed.getId();
    }

    /**
     * Removes consumers whose keep-alive is older than twice the grace period. A consumer still
     * holding events is left until those were re-claimed (deleting it would drop them), and one that
     * never wrote a keep-alive is only removed once Redis has seen it idle that long (it may be a new
     * instance whose keep-alive has not reached this replica yet).
     */
    private CompletableFuture<Void> removeStaleConsumers(Stream stream) {
        if (owner.isClosed()) {
            return CompletableFuture.completedFuture(null);
        }
        long staleNanos = ackGrace.multipliedBy(2).toNanos();
        return redis.execute("sink " + sinkName + ": list consumers",
                        c -> c.xinfoConsumers(stream.key(), group))
                .thenCompose(consumers -> {
                    List<CompletableFuture<?>> removals = new ArrayList<>();
                    long now = nowNanos();
                    for (Object raw : consumers) {
                        Map<String, Object> info = fields(raw);
                        String consumer = info.get("name") instanceof String s ? s : null;
                        long pending = info.get("pending") instanceof Long l ? l : 0;
                        long idleMs = info.get("idle") instanceof Long l ? l : 0;
                        if (consumer == null || consumer.equals(this.consumer)) {
                            continue;
                        }
                        ReplicatedMap keepAlives = state.keepAlives(stream.name());
                        String alive = keepAlives == null ? null : keepAlives.get(consumer).orElse(null);
                        boolean stale;
                        if (alive == null) {
                            stale = idleMs * 1_000_000L > staleNanos;
                        } else {
                            try {
                                stale = now - Long.parseLong(alive) > staleNanos;
                            } catch (NumberFormatException e) {
                                log.atWarn().addKeyValue("sink", sinkName).addKeyValue("consumer", consumer)
                                        .addKeyValue("keepAlive", alive).log("unreadable keep-alive; skipped");
                                continue;
                            }
                        }
                        if (!stale || pending > 0) {
                            continue;
                        }
                        log.atInfo().addKeyValue("sink", sinkName).addKeyValue("stream", stream.name())
                                .addKeyValue("consumer", consumer).log("removing stale consumer");
                        removals.add(redis.execute("sink " + sinkName + ": delete consumer",
                                c -> c.xgroupDelconsumer(stream.key(), Consumer.from(group, Stream.bytes(consumer)))));
                        if (keepAlives != null) {
                            removals.add(keepAlives.deleteAsync(consumer));
                        }
                        ReplicatedMap registry = state.registry(stream.name());
                        if (registry != null) {
                            removals.add(registry.removeValuesAsync(sinkName, consumer));
                        }
                    }
                    return CompletableFuture.allOf(removals.toArray(new CompletableFuture[0]));
                });
    }

    /** The pending count XINFO CONSUMERS reports for {@code consumer} (0 if it is not there). */
    static long pendingOf(List<Object> consumers, String consumer) {
        for (Object raw : consumers) {
            Map<String, Object> info = fields(raw);
            if (consumer.equals(info.get("name")) && info.get("pending") instanceof Long l) {
                return l;
            }
        }
        return 0;
    }

    /** XINFO CONSUMERS entries are flat field/value lists in RESP2. */
    private static Map<String, Object> fields(Object raw) {
        Map<String, Object> out = new HashMap<>();
        if (raw instanceof List<?> list) {
            for (int i = 0; i + 1 < list.size(); i += 2) {
                Object k = list.get(i);
                Object v = list.get(i + 1);
                String key = k instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(k);
                out.put(key, v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : v);
            }
        }
        return out;
    }

    /** Runs one stale-consumer pass now (at sink creation). */
    CompletableFuture<Void> removeStaleConsumersNow(Stream stream) {
        return removeStaleConsumers(stream);
    }

    @Override
    public void close() {
        if (keepAliveTask != null) {
            keepAliveTask.cancel(false);
        }
        if (claimTask != null) {
            claimTask.cancel(false);
        }
    }
}
