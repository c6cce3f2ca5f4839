package io.pulse.core.internal;

import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.pulse.core.ClosedException;
import io.pulse.core.NotSentException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
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
 */
public final class BlockingConnection implements AutoCloseable {

    private final RedisFacade redis;
    private final String name;
    private final Supplier<StatefulConnection<byte[], byte[]>> opener;
    private final Object lock = new Object();
    private StatefulConnection<byte[], byte[]> connection; // guarded by lock; null: open one on the next call
    private CompletableFuture<?> inFlight; // guarded by lock
    private long wakes; // guarded by lock
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
        synchronized (lock) {
            if (closed) {
                return;
            }
            wakes++;
            if (inFlight != null && connection != null) {
                cut = connection;
                connection = null;
            }
        }
        if (cut != null) {
            cut.closeAsync();
        }
    }

    /** Returns whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Closes the connection; a read blocked on it fails at once with {@link ClosedException}. Idempotent. */
    @Override
    public void close() {
        StatefulConnection<byte[], byte[]> last;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            last = connection;
            connection = null;
        }
        redis.unregister(this);
        if (last != null) {
            last.closeAsync();
        }
    }

    private ClosedException closedException(String what) {
        return new ClosedException(what + ": connection " + name + " is closed");
    }
}
