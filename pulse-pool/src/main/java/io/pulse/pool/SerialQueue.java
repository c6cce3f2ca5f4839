package io.pulse.pool;

import io.pulse.streaming.Event;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * One worker's events, handled one after the other in the order they were added, on an executor
 * shared with other workers: at most one task of the queue runs at a time, so handler calls of one
 * worker never overlap, and a slow one holds up only this queue. Thread-safe; {@link #add} never
 * blocks, so the reading thread may call it.
 */
final class SerialQueue {

    private final Queue<Event> events = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Executor executor;
    private final Consumer<Event> handler;
    private final Logger log;

    SerialQueue(Executor executor, Consumer<Event> handler, Logger log) {
        this.executor = executor;
        this.handler = handler;
        this.log = log;
    }

    /** Queues {@code event} and makes sure a task drains the queue. */
    void add(Event event) {
        events.add(event);
        schedule();
    }

    private void schedule() {
        if (!scheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // the node is closing: what is queued stays unacknowledged, and the pool delivers it again
            scheduled.set(false);
            log.atDebug().addKeyValue("queued", events.size()).log("node closing; queued worker events left to redelivery");
        }
    }

    private void drain() {
        try {
            Event event;
            while ((event = events.poll()) != null) {
                try {
                    handler.accept(event);
                } catch (Throwable t) {
                    log.atError().addKeyValue("event", event.id()).setCause(t)
                            .log("worker event handling threw; going on with the next event");
                }
            }
        } finally {
            scheduled.set(false);
            if (!events.isEmpty()) {
                // added after the last poll but before the flag dropped: its add saw the task running
                schedule();
            }
        }
    }
}
