package io.pulse.rmap;

import io.pulse.core.ClosedException;
import io.pulse.core.PulseException;
import io.pulse.core.PulseRedis;
import io.pulse.core.Subscription;
import io.pulse.core.internal.Args;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.Names;
import io.pulse.core.internal.RedisFacade;
import io.pulse.rmap.internal.ListValues;
import io.pulse.rmap.internal.MapWrites;
import io.pulse.rmap.internal.StateMaps;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A string-to-string map kept in a Redis hash and mirrored in the memory of every process that joined
 * it; thread-safe. Reads ({@link #get}, {@link #keys}, {@link #snapshot}, ...) are local and never
 * touch Redis. Each mutation is one atomic Lua script that changes the hash, bumps the map's revision
 * and publishes the change; every replica, the writer's included, applies published changes in
 * revision order. So after {@link #set} returns, a {@link #get} on the same replica may still show the
 * old value for a moment; {@link #setAndWait} returns only once it shows the new one.
 *
 * <p>Blocking mutations wait a bounded time and throw {@link PulseException} on Redis failures; each
 * has an {@code ...Async} twin returning a {@link CompletableFuture} that may complete on a Redis I/O
 * thread (attach heavy work with the {@code ...Async} variants of {@code CompletableFuture}). Keys must
 * be non-empty and may not contain {@code =}; values may be any string, including empty. Nulls are
 * rejected with {@link NullPointerException}.
 *
 * <p>After {@link #close()} reads return the last state and mutations throw {@link ClosedException},
 * except {@link #reset()} and {@link #destroy()}. The Redis layout is Go Pulse's, so Java and Go
 * replicas of one map work together.
 */
public final class ReplicatedMap implements AutoCloseable {

    static {
        StateMaps.install(new StateMaps.Access() {
            @Override
            public Builder builder(String name, PulseRedis redis) {
                return new Builder(name, redis, true);
            }

            @Override
            public long changes(ReplicatedMap map) {
                return map.replica.changes();
            }
        });
    }

    private static final Logger DEFAULT_LOG = LoggerFactory.getLogger(ReplicatedMap.class);
    private static final Duration POKE_AFTER = Duration.ofSeconds(1);

    private final String name;
    private final RedisFacade redis;
    private final Replica replica;
    private final Subscription channel;
    private final Logger log;
    private final MapWrites writes;
    private final Duration waitTimeout;
    private final MapListeners listeners;
    private volatile boolean closed;

    private ReplicatedMap(Builder b, Replica replica, Subscription channel) {
        this.name = b.name;
        this.redis = RedisFacade.of(b.redis);
        this.replica = replica;
        this.channel = channel;
        this.log = b.log;
        this.writes = MapWrites.of(redis, name, b.ttl, b.sliding, this::isClosed);
        this.waitTimeout = b.waitTimeout;
        this.listeners = new MapListeners(name, replica, redis, log, b.executor);
    }

    /**
     * Joins the map {@code name} with default options: subscribes to its changes, then loads its
     * content. Blocks until the local replica is loaded.
     *
     * @throws IllegalArgumentException if the name is invalid
     * @throws PulseException if Redis fails
     */
    public static ReplicatedMap join(String name, PulseRedis redis) {
        return builder(name, redis).join();
    }

    /**
     * Starts configuring a join of the map {@code name}; validates both arguments now.
     *
     * @throws IllegalArgumentException if the name is invalid or has the shape of a map Pulse keeps
     *         its own state in ({@link io.pulse.core.KeyLayout#isReservedMapName})
     */
    public static Builder builder(String name, PulseRedis redis) {
        return new Builder(name, redis, false);
    }

    /** Options for joining a map; not thread-safe, ends in {@link #join()}. */
    public static final class Builder {
        private final String name;
        private final PulseRedis redis;
        private Duration ttl = Duration.ZERO;
        private boolean sliding;
        private Logger log = DEFAULT_LOG;
        private Executor executor;
        private Duration waitTimeout = Duration.ofSeconds(10);

        private Builder(String name, PulseRedis redis, boolean stateMap) {
            this.name = Names.requireValid("map", name);
            this.redis = Objects.requireNonNull(redis, "redis");
            if (!stateMap && RedisFacade.of(redis).layout().isReservedMapName(name)) {
                throw new IllegalArgumentException("map name \"" + name + "\" has the shape of a name Pulse uses "
                        + "for the state of its streams, sinks and pools (stream:<s>:sinks, sink:<s>:keepalive, "
                        + "<pool>:workers, ... in the default layout); choose another name");
            }
        }

        /**
         * Expires the whole map {@code ttl} after its first write (measured again after each reset);
         * writes do not extend it. Zero means never. Applied atomically by every write, with
         * millisecond precision.
         */
        public Builder ttl(Duration ttl) {
            this.ttl = Args.ttl("ttl", ttl);
            this.sliding = false;
            return this;
        }

        /** Expires the whole map {@code ttl} after its last write attempt. Zero means never. */
        public Builder slidingTtl(Duration ttl) {
            this.ttl = Args.ttl("ttl", ttl);
            this.sliding = true;
            return this;
        }

        /** The logger this map writes to (default: the {@code io.pulse.rmap.ReplicatedMap} logger). */
        public Builder logger(Logger logger) {
            this.log = Objects.requireNonNull(logger, "logger");
            return this;
        }

        /**
         * Where listener callbacks run (default: one daemon thread of this map, started with the first
         * listener). Each listener still gets its events one at a time and in order.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** The longest {@link #setAndWait} waits for its change to show locally (default 10 s). */
        public Builder setAndWaitTimeout(Duration timeout) {
            this.waitTimeout = Args.positive("setAndWaitTimeout", timeout);
            return this;
        }

        /**
         * Joins: subscribes to the map's channel, waits for the subscription, then loads the hash (in
         * that order, so no change can fall between the two). Blocks until loaded.
         *
         * @throws PulseException if Redis fails
         * @throws ClosedException if the facade is closed
         */
        public ReplicatedMap join() {
            RedisFacade redis = RedisFacade.of(this.redis);
            redis.ensureOpen("join map " + name);
            Duration timeout = redis.syncTimeout();
            Replica replica = new Replica(name, redis, log);
            Subscription channel = Futures.await(redis.subscribe(redis.layout().mapUpdatesChannel(name), replica), timeout,
                    "join map " + name);
            try {
                Futures.await(replica.loadFirstSnapshot(), timeout, "join map " + name);
                ReplicatedMap map = new ReplicatedMap(this, replica, channel);
                redis.register(map, listener -> listener.mapJoined(name));
                redis.events().mapJoined(name);
                return map;
            } catch (RuntimeException e) {
                channel.close();
                replica.close();
                throw e;
            }
        }
    }

    /** The map's name. */
    public String name() {
        return name;
    }

    // ------------------------------------------------------------------ local reads

    /** The local value of {@code key}, if present. No I/O. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(replica.get(Objects.requireNonNull(key, "key")));
    }

    /**
     * The items of the list stored at {@code key} (a JSON array of strings, as the list mutations
     * write it); an empty list if the key is absent. No I/O.
     */
    public List<String> getValues(String key) {
        return ListValues.parse(replica.get(Objects.requireNonNull(key, "key")));
    }

    /** A copy of the local keys, in no particular order. No I/O. */
    public Set<String> keys() {
        return Set.copyOf(replica.content().keySet());
    }

    /** The number of local keys. No I/O. */
    public int size() {
        return replica.content().size();
    }

    /** An unmodifiable copy of the whole local content. No I/O. */
    public Map<String, String> snapshot() {
        return replica.snapshot();
    }

    /** The revision the local replica has reached. */
    public long revision() {
        return replica.revision();
    }

    // ------------------------------------------------------------------ mutations

    /** Sets {@code key} to {@code value}; returns the previous value or {@code null}. */
    public String set(String key, String value) {
        return await(setAsync(key, value), "set");
    }

    /** Async twin of {@link #set}. */
    public CompletableFuture<String> setAsync(String key, String value) {
        return writes.set("set", key, value).thenApply(MapWrites.SetResult::previous);
    }

    /** Sets {@code key} only if it is absent; returns whether it did. */
    public boolean setIfAbsent(String key, String value) {
        return await(setIfAbsentAsync(key, value), "setIfAbsent");
    }

    /** Async twin of {@link #setIfAbsent}. */
    public CompletableFuture<Boolean> setIfAbsentAsync(String key, String value) {
        return writes.setIfAbsent(key, value);
    }

    /**
     * Sets {@code key} to {@code value} and returns (the previous value or {@code null}) only once this
     * replica shows the change, or a later one. Waits at most the configured
     * {@link Builder#setAndWaitTimeout}; if the change's message was lost, the replica re-reads Redis.
     *
     * @throws PulseException if the change does not show in time
     */
    public String setAndWait(String key, String value) {
        return await(setAndWaitAsync(key, value), "setAndWait");
    }

    /** Async twin of {@link #setAndWait}. */
    public CompletableFuture<String> setAndWaitAsync(String key, String value) {
        return writes.set("setAndWait", key, value)
                .thenCompose(r -> awaitVisible(r.revision(), key, value).thenApply(v -> r.previous()));
    }

    /**
     * Completes once this replica shows the write of {@code value} at {@code key} that produced
     * {@code revision} (or a later state). If it has not after a second, the replica re-reads Redis
     * (the change's message may have been lost); after the wait timeout the future fails.
     */
    CompletableFuture<Void> awaitVisible(long revision, String key, String value) {
        CompletableFuture<Void> visible = replica.awaitWrite(revision, key, value);
        if (visible.isDone()) {
            return visible;
        }
        ScheduledFuture<?> poke = redis.scheduler().schedule(
                () -> replica.awaitSnapshot(visible, revision, "a setAndWait is still waiting"),
                POKE_AFTER.toMillis(), TimeUnit.MILLISECONDS);
        ScheduledFuture<?> expire = redis.scheduler().schedule(() -> {
            if (visible.completeExceptionally(Replica.notVisible(name, revision, waitTimeout))) {
                replica.cancelWait(visible);
            }
        }, waitTimeout.toMillis(), TimeUnit.MILLISECONDS);
        return visible.whenComplete((v, e) -> {
            poke.cancel(false);
            expire.cancel(false);
        });
    }

    /**
     * Sets {@code key} to {@code value} if its current value equals {@code expected} (an absent key
     * equals nothing). Returns the value found before, whether or not it matched ({@code null} if
     * absent).
     */
    public String testAndSet(String key, String expected, String value) {
        return await(testAndSetAsync(key, expected, value), "testAndSet");
    }

    /** Async twin of {@link #testAndSet}. */
    public CompletableFuture<String> testAndSetAsync(String key, String expected, String value) {
        return writes.testAndSet(key, expected, value);
    }

    /**
     * Adds {@code delta} (may be negative) to the integer at {@code key}, an absent key counting as 0;
     * returns the new value.
     *
     * @throws PulseException if the current value is not an integer
     */
    public long inc(String key, long delta) {
        return await(incAsync(key, delta), "inc");
    }

    /** Async twin of {@link #inc}. */
    public CompletableFuture<Long> incAsync(String key, long delta) {
        return writes.inc(key, delta);
    }

    /** Appends {@code items} (duplicates allowed) to the list at {@code key}; returns the new list. */
    public List<String> appendValues(String key, String... items) {
        return await(appendValuesAsync(key, items), "appendValues");
    }

    /** Async twin of {@link #appendValues}. */
    public CompletableFuture<List<String>> appendValuesAsync(String key, String... items) {
        return writes.appendValues(key, items);
    }

    /**
     * Appends each of {@code items} not in the list at {@code key} yet; returns the resulting list.
     * Writes (and publishes) nothing when every item was already there.
     */
    public List<String> appendUniqueValues(String key, String... items) {
        return await(appendUniqueValuesAsync(key, items), "appendUniqueValues");
    }

    /** Async twin of {@link #appendUniqueValues}. */
    public CompletableFuture<List<String>> appendUniqueValuesAsync(String key, String... items) {
        return writes.appendUniqueValues(key, items);
    }

    /**
     * Removes every occurrence of each of {@code items} from the list at {@code key}; returns the
     * remaining items, an empty list when none remain (the key is then deleted) or the key is absent.
     */
    public List<String> removeValues(String key, String... items) {
        return await(removeValuesAsync(key, items), "removeValues");
    }

    /** Async twin of {@link #removeValues}. */
    public CompletableFuture<List<String>> removeValuesAsync(String key, String... items) {
        return writes.removeValues(key, items);
    }

    /** Deletes {@code key}; returns the value it had or {@code null}. */
    public String delete(String key) {
        return await(deleteAsync(key), "delete");
    }

    /** Async twin of {@link #delete}. */
    public CompletableFuture<String> deleteAsync(String key) {
        return writes.delete(key);
    }

    /**
     * Deletes {@code key} if its value equals {@code expected}; returns the value found before,
     * whether or not it matched ({@code null} if absent).
     */
    public String testAndDelete(String key, String expected) {
        return await(testAndDeleteAsync(key, expected), "testAndDelete");
    }

    /** Async twin of {@link #testAndDelete}. */
    public CompletableFuture<String> testAndDeleteAsync(String key, String expected) {
        return writes.testAndDelete(key, expected);
    }

    /** Empties the map (every replica). Works after {@link #close()}. */
    public void reset() {
        await(resetAsync(), "reset");
    }

    /** Async twin of {@link #reset}. */
    public CompletableFuture<Void> resetAsync() {
        return writes.reset();
    }

    /**
     * Empties the map if every key of {@code expected} holds exactly its value there (an empty
     * {@code expected} always matches); returns whether it did.
     */
    public boolean testAndReset(Map<String, String> expected) {
        return await(testAndResetAsync(expected), "testAndReset");
    }

    /** Async twin of {@link #testAndReset}. */
    public CompletableFuture<Boolean> testAndResetAsync(Map<String, String> expected) {
        return writes.testAndReset(expected);
    }

    /**
     * Empties the map everywhere, marking it destroyed; the hash keeps only its revision so that Go
     * and Java replicas stay ordered if the map is used again. Works after {@link #close()}.
     */
    public void destroy() {
        await(destroyAsync(), "destroy");
    }

    /** Async twin of {@link #destroy}. */
    public CompletableFuture<Void> destroyAsync() {
        return writes.destroy();
    }

    // ------------------------------------------------------------------ listeners

    /**
     * Calls {@code listener} with one {@link MapEvent} per change this replica applies, in revision
     * order, on the map's callback executor (never a Redis I/O thread). A listener that falls
     * {@value MapListeners#QUEUE} events behind has its backlog replaced by one {@link MapEvent.Kind#RESYNC}
     * event. Returns the handle that stops delivery.
     *
     * @throws ClosedException if the map is closed
     */
    public Subscription subscribe(Consumer<MapEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        ensureOpen("subscribe");
        return listeners.add(listener);
    }

    // ------------------------------------------------------------------ lifecycle

    /** Returns whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Leaves the map: stops following changes, stops listeners and fails pending
     * {@link #setAndWait} calls with {@link ClosedException}. The local content stays readable; Redis
     * is not touched. Idempotent; thread-safe.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        channel.close();
        replica.close();
        listeners.close();
        redis.unregister(this);
        redis.events().mapLeft(name);
        log.atDebug().addKeyValue("map", name).log("closed");
    }

    @Override
    public String toString() {
        return "ReplicatedMap[" + name + ", " + size() + " keys, rev " + revision() + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ internals

    private void ensureOpen(String op) {
        if (closed) {
            throw new ClosedException("map " + name + " is closed: cannot " + op);
        }
    }

    private <T> T await(CompletableFuture<T> future, String op) {
        return Futures.await(future, redis.syncTimeout().plus(waitTimeout), "map " + name + ": " + op);
    }

    /** Exposed to tests in this package: how many times the replica re-read Redis after joining. */
    long resyncCount() {
        return replica.resyncCount();
    }
}
