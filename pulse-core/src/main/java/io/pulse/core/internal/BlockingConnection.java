package io.pulse.core.internal;

import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.pulse.core.ClosedException;
import io.pulse.core.NotSentException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A connection of its own for one blocking read loop ({@code XREAD}/{@code XREADGROUP} with
 * {@code BLOCK}); thread-safe, but meant for one loop at a time. {@link #wake()} makes a read blocked
 * right now return at once with no data, and {@link #close()} makes it fail at once, which is how
 * loops notice changes and stop promptly.
 *
 * <p>Both work by closing the socket the read is blocked on (a new one is opened for the next read),
 * not with {@code CLIENT UNBLOCK}: that command is in Redis's {@code @dangerous} category (it can
 * unblock any client of the server), and a least-privilege user must not need it.
 *
 * <p>On a Redis Cluster, a read of streams in several hash slots cannot be one command (Redis refuses
 * it with {@code CROSSSLOT}): {@link #callPerSlot} runs one blocking read per slot, each on a
 * connection of its own, and merges what they return.
 */
public final class BlockingConnection implements AutoCloseable {

    private final RedisFacade redis;
    private final String name;
    private final Supplier<StatefulConnection<byte[], byte[]>> opener;
    private final Object lock = new Object();
    private StatefulConnection<byte[], byte[]> connection; // guarded by lock; null: open one on the next call
    private CompletableFuture<?> inFlight; // guarded by lock
    private long wakes; // guarded by lock
    /** Per hash slot of a fan-in read on a cluster: its connection, and its read still running. */
    private final Map<Integer, BlockingConnection> slotConnections = new HashMap<>(); // guarded by lock
    private final Map<Integer, CompletableFuture<?>> slotReads = new HashMap<>(); // guarded by lock
    private volatile boolean closed;

    /**
     * Opens the first connection now.
     *
     * @throws NotSentException if Redis cannot be reached
     */
    BlockingConnection(RedisFacade redis, String name, Supplier<StatefulConnection<byte[], byte[]>> opener) {
        this.redis = redis;
        this.name = name;
        this.opener = opener;
        this.connection = open("open a blocking connection for " + name);
    }

    /**
     * Runs one (typically blocking) command and waits for it at most {@code block} plus the facade's
     * sync timeout, so a read whose answer never comes cannot hang its loop. Returns {@code null} if
     * {@link #wake()} cut it short.
     *
     * @throws ClosedException if this connection was closed (also while the read was blocked)
     * @throws PulseException on any Redis failure, typed as {@link RedisFacade#execute} says
     */
    public <T> T call(String what, Duration block,
            Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
        return call(what, block, wakeMark(), command);
    }

    /**
     * Counts the wake-ups so far. A loop takes it before it looks at what to read, and passes it to
     * {@link #call(String, Duration, long, Function)}, so that a wake-up that came in between (the set
     * of streams changed) is not lost.
     */
    public long wakeMark() {
        synchronized (lock) {
            return wakes;
        }
    }

    /**
     * As {@link #call(String, Duration, Function)}, but returns {@code null} at once, without sending
     * anything, if {@link #wake()} was called since {@code mark} was taken with {@link #wakeMark()}.
     */
    public <T> T call(String what, Duration block, long mark,
            Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
        StatefulConnection<byte[], byte[]> used = current(what);
        CompletableFuture<T> result;
        synchronized (lock) {
            if (closed) {
                throw closedException(what);
            }
            if (wakes != mark || connection != used) {
                return null;
            }
            result = redis.sendWhenConnected(used, () -> command.apply(RedisFacade.commandsOf(used)).toCompletableFuture(),
                    redis.reconnectDeadline());
            inFlight = result;
        }
        try {
            return Futures.await(result, block.plus(redis.syncTimeout()), what);
        } catch (RuntimeException e) {
            boolean woken;
            synchronized (lock) {
                woken = connection != used;
            }
            if (closed) {
                throw closedException(what);
            }
            if (woken) {
                return null;
            }
            throw redis.translate(what, e);
        } finally {
            synchronized (lock) {
                if (inFlight == result) {
                    inFlight = null;
                }
            }
        }
    }

    /**
     * As {@link #call(String, Duration, long, Function)} for a read of the streams {@code offsets}
     * names: on a Redis Cluster, when they live in several hash slots, {@code read} runs once per slot
     * with that slot's offsets, each on a connection of its own and all at once; this returns what
     * those that answered first returned, merged (each stream's entries in order). A read that has not
     * answered yet goes on and its entries are returned by a later call, so nothing read is dropped.
     */
    public <T> List<T> callPerSlot(String what, Duration block, long mark, XReadArgs.StreamOffset<byte[]>[] offsets,
            BiFunction<RedisClusterAsyncCommands<byte[], byte[]>, XReadArgs.StreamOffset<byte[]>[],
                    RedisFuture<List<T>>> read) {
        Map<Integer, List<XReadArgs.StreamOffset<byte[]>>> bySlot = new LinkedHashMap<>();
        if (redis.isCluster()) {
            for (XReadArgs.StreamOffset<byte[]> offset : offsets) {
                bySlot.computeIfAbsent(SlotHash.getSlot(offset.getName()), s -> new ArrayList<>()).add(offset);
            }
        }
        if (bySlot.size() <= 1) {
            return call(what, block, mark, c -> read.apply(c, offsets));
        }
        Map<Integer, BlockingConnection> toStart = new LinkedHashMap<>();
        synchronized (lock) {
            if (closed) {
                throw closedException(what);
            }
            if (wakes != mark) {
                return null;
            }
            slotReads.keySet().retainAll(bySlot.keySet());
            for (Integer slot : bySlot.keySet()) {
                if (!slotReads.containsKey(slot)) {
                    toStart.put(slot, slotConnections.get(slot));
                }
            }
        }
        // connections are opened and reads sent outside the lock: wake() must never wait for I/O
        Map<Integer, CompletableFuture<?>> started = new LinkedHashMap<>();
        for (Map.Entry<Integer, BlockingConnection> slot : toStart.entrySet()) {
            BlockingConnection connection = slot.getValue() != null ? slot.getValue()
                    : slotConnection(slot.getKey(), what);
            @SuppressWarnings("unchecked")
            XReadArgs.StreamOffset<byte[]>[] group = bySlot.get(slot.getKey()).toArray(new XReadArgs.StreamOffset[0]);
            started.put(slot.getKey(), connection.start(what, c -> read.apply(c, group)));
        }
        List<CompletableFuture<?>> running;
        synchronized (lock) {
            if (closed) {
                throw closedException(what);
            }
            if (wakes != mark) {
                // the streams changed meanwhile: the reads just sent may use old offsets; those that
                // answered already are kept (a group's read took its entries), the others are cut
                started.forEach((slot, answer) -> {
                    if (answer.isDone() && !answer.isCompletedExceptionally()) {
                        slotReads.put(slot, answer);
                    }
                });
                slotConnections.values().forEach(BlockingConnection::wake);
                return null;
            }
            slotReads.putAll(started);
            running = new ArrayList<>(slotReads.values());
        }
        try {
            Futures.await(CompletableFuture.anyOf(running.toArray(CompletableFuture<?>[]::new)),
                    block.plus(redis.syncTimeout()), what);
        } catch (RuntimeException e) {
            // looked at per read below
        }
        List<T> merged = new ArrayList<>();
        RuntimeException failure = null;
        synchronized (lock) {
            if (closed) {
                throw closedException(what);
            }
            if (wakes != mark) {
                return null;
            }
            for (var it = slotReads.entrySet().iterator(); it.hasNext(); ) {
                CompletableFuture<?> future = it.next().getValue();
                if (!future.isDone()) {
                    continue;
                }
                it.remove();
                try {
                    @SuppressWarnings("unchecked")
                    List<T> got = (List<T>) future.join();
                    if (got != null) {
                        merged.addAll(got);
                    }
                } catch (RuntimeException e) {
                    // only this slot's read failed: what the others answered is still delivered
                    failure = e;
                }
            }
        }
        if (failure != null && merged.isEmpty()) {
            throw redis.translate(what, failure);
        }
        return merged;
    }

    /** The connection of {@code slot}'s reads, opened now if it has none yet. */
    private BlockingConnection slotConnection(int slot, String what) {
        BlockingConnection fresh = new BlockingConnection(redis, name + "-slot-" + slot, opener);
        BlockingConnection kept;
        synchronized (lock) {
            if (closed) {
                fresh.close();
                throw closedException(what);
            }
            kept = slotConnections.putIfAbsent(slot, fresh);
        }
        if (kept == null) {
            return fresh;
        }
        fresh.close();
        return kept;
    }

    /**
     * Sends {@code command} now on this connection, without waiting; the future completes with
     * {@code null} if a {@link #wake()} or {@link #close()} cut it short.
     */
    private <T> CompletableFuture<T> start(String what,
            Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
        StatefulConnection<byte[], byte[]> used = current(what);
        CompletableFuture<T> result;
        synchronized (lock) {
            result = redis.sendWhenConnected(used, () -> command.apply(RedisFacade.commandsOf(used)).toCompletableFuture(),
                    redis.reconnectDeadline());
            inFlight = result;
        }
        return result.handle((value, error) -> {
            boolean cut;
            synchronized (lock) {
                if (inFlight == result) {
                    inFlight = null;
                }
                cut = closed || connection != used;
            }
            if (error == null) {
                return value;
            }
            if (cut) {
                return null;
            }
            throw redis.translate(what, error);
        });
    }

    /** The connection to use, opening a new one if a wake-up closed the last one. */
    private StatefulConnection<byte[], byte[]> current(String what) {
        synchronized (lock) {
            if (closed) {
                throw closedException(what);
            }
            if (connection != null) {
                return connection;
            }
        }
        StatefulConnection<byte[], byte[]> fresh = open(what);
        synchronized (lock) {
            if (closed || connection != null) {
                fresh.closeAsync();
                if (closed) {
                    throw closedException(what);
                }
                return connection;
            }
            connection = fresh;
            return fresh;
        }
    }

    private StatefulConnection<byte[], byte[]> open(String what) {
        try {
            return opener.get();
        } catch (RedisException e) {
            throw new NotSentException(what + ": cannot open a connection for " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes a read blocked on this connection return at once with no data (its socket is closed; the
     * next call opens a new one), so the loop can notice a change (a new stream to read, events to
     * deliver); see {@link #wakeMark()} for a change that comes while no read is blocked. Never blocks:
     * safe on a Redis I/O thread.
     */
    public void wake() {
        StatefulConnection<byte[], byte[]> cut = null;
        List<BlockingConnection> slots;
        synchronized (lock) {
            if (closed) {
                return;
            }
            wakes++;
            if (inFlight != null && connection != null) {
                cut = connection;
                connection = null;
            }
            // reads that answered already stay for the next call: a group's read may have taken entries
            slotReads.values().removeIf(read -> !read.isDone());
            slots = new ArrayList<>(slotConnections.values());
        }
        if (cut != null) {
            cut.closeAsync();
        }
        slots.forEach(BlockingConnection::wake);
    }

    /** Returns whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Closes the connection; a read blocked on it fails at once with {@link ClosedException}. Idempotent. */
    @Override
    public void close() {
        StatefulConnection<byte[], byte[]> last;
        List<BlockingConnection> slots;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            last = connection;
            connection = null;
            slots = new ArrayList<>(slotConnections.values());
            slotConnections.clear();
            slotReads.clear();
        }
        redis.unregister(this);
        if (last != null) {
            last.closeAsync();
        }
        slots.forEach(BlockingConnection::close);
    }

    private ClosedException closedException(String what) {
        return new ClosedException(what + ": connection " + name + " is closed");
    }
}
