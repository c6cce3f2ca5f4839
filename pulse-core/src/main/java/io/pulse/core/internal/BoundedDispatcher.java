package io.pulse.core.internal;

import io.pulse.core.Subscription;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers items to one callback, one at a time and in the order offered, on an {@link Executor}, so
 * that the thread offering (typically a Redis I/O thread) never runs or waits for user code.
 * Thread-safe; {@link #offer} never blocks.
 *
 * <p>The queue is bounded: when a callback falls {@code capacity} items behind, the queued items are
 * dropped and replaced by a single item from {@code overflowMarker} (for a replicated map: "re-read
 * the state"), instead of growing without limit. An exception thrown by the callback is logged and
 * delivery goes on.
 */
public final class BoundedDispatcher<T> implements Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(BoundedDispatcher.class);
    private static final int BATCH = 256;

    private final Executor executor;
    private final int capacity;
    private final Consumer<? super T> callback;
    private final Supplier<? extends T> overflowMarker;
    private final ArrayDeque<T> queue = new ArrayDeque<>();
    private boolean scheduled;
    private volatile boolean closed;

    /**
     * @param executor where the callback runs; at most one task of this dispatcher runs at a time
     * @param capacity how many items may wait before the queue collapses to one overflow marker
     * @param callback the receiver of items
     * @param overflowMarker the item that replaces a full queue
     */
    public BoundedDispatcher(Executor executor, int capacity, Consumer<? super T> callback,
            Supplier<? extends T> overflowMarker) {
        this.executor = Objects.requireNonNull(executor, "executor");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        this.capacity = capacity;
        this.callback = Objects.requireNonNull(callback, "callback");
        this.overflowMarker = Objects.requireNonNull(overflowMarker, "overflowMarker");
    }

    /** Queues {@code item} for delivery; ignored after {@link #close()}. */
    public void offer(T item) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (queue.size() >= capacity) {
                queue.clear();
                queue.add(overflowMarker.get());
            } else {
                queue.add(item);
            }
            if (scheduled) {
                return;
            }
            scheduled = true;
        }
        schedule();
    }

    /** Returns how many items wait for delivery. */
    public synchronized int backlog() {
        return queue.size();
    }

    private void schedule() {
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                scheduled = false;
                queue.clear();
            }
            if (!closed) {
                LOG.atWarn().setCause(e).log("callback executor rejected a delivery; queued items dropped");
            }
        }
    }

    private void drain() {
        for (int i = 0; i < BATCH; i++) {
            T item;
            synchronized (this) {
                item = queue.poll();
                if (item == null) {
                    scheduled = false;
                    return;
                }
            }
            if (closed) {
                continue;
            }
            try {
                callback.accept(item);
            } catch (Throwable t) {
                LOG.atError().setCause(t).log("callback threw; delivery goes on");
            }
        }
        // give other tasks of a shared executor a turn before the next batch
        schedule();
    }

    /** Stops delivery; items still queued are dropped. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            queue.clear();
        }
    }
}
