package io.pulse.streaming;

import io.pulse.core.PulseException;
import io.pulse.core.internal.BlockingConnection;
import io.pulse.core.internal.RedisFacade;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The pull side of a reader or sink: one connection of its own, opened at the first {@code read()},
 * with reads from several threads taking turns. Closing lets a read in progress hand over what it
 * fetched, waiting at most one block duration plus a margin, then cuts the connection. Thread-safe.
 */
final class PullReads {

    private final RedisFacade redis;
    private final String connectionName;
    private final Duration closeWait;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile BlockingConnection connection; // created under lock

    PullReads(RedisFacade redis, String connectionName, Duration block) {
        this.redis = redis;
        this.connectionName = connectionName;
        this.closeWait = closeWait(block);
    }

    /** How long closing waits for a read in progress: one block plus a margin, at most 10 s. */
    static Duration closeWait(Duration block) {
        Duration wait = block.plusSeconds(2);
        return wait.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : wait;
    }

    /** Runs one read on the pull connection, after any other thread's read in progress. */
    List<Event> read(Runnable ensureOpen, Function<BlockingConnection, List<Event>> read) {
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PulseException("read interrupted", e);
        }
        try {
            ensureOpen.run();
            if (connection == null) {
                connection = redis.openBlockingConnection(connectionName);
            }
            return read.apply(connection);
        } finally {
            lock.unlock();
        }
    }

    /** Makes a read blocked right now return (its stream set changed). */
    void wake() {
        BlockingConnection c = connection;
        if (c != null) {
            c.wake();
        }
    }

    /** Lets a read in progress finish (bounded), then closes the connection. Idempotent. */
    void close() {
        BlockingConnection c = connection;
        if (c == null) {
            return;
        }
        c.wake();
        boolean locked = false;
        try {
            locked = lock.tryLock(closeWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // closing the connection also ends a read the wake-up did not reach
        c.close();
        if (locked) {
            lock.unlock();
        }
    }

    Duration closeWait() {
        return closeWait;
    }
}
