package io.pulse.streaming;

import io.pulse.core.ClosedException;
import io.pulse.core.Subscription;
import io.pulse.core.internal.Backoff;
import io.pulse.core.internal.DaemonThreads;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * One push subscription: a thread of its own that fetches batches of events and hands them to a
 * callback, one at a time. Each subscription reads on its own connection, so a slow callback holds up
 * only its own subscription. Read errors are logged and retried with jittered back-off.
 */
final class PushLoop implements Subscription {

    /** Fetches the next batch; blocks at most its block duration; returns an empty list on timeout. */
    interface Fetcher {
        List<Event> fetch();

        /** Makes a blocked fetch return now. */
        void wake();

        /** Releases the fetcher's connection once the loop is done. */
        void release();
    }

    private final Fetcher fetcher;
    private final Consumer<Event> callback;
    private final Logger log;
    private final String what;
    private final Runnable onClose;
    private final Thread thread;
    private final Duration closeWait;
    private volatile boolean closed;

    /**
     * @param closeWait how long {@link #close()} waits for the loop before cutting its connection
     */
    PushLoop(String what, String name, Fetcher fetcher, Consumer<Event> callback, Logger log, Runnable onClose,
            Duration closeWait) {
        this.closeWait = closeWait;
        this.what = what;
        this.fetcher = fetcher;
        this.callback = callback;
        this.log = log;
        this.onClose = onClose;
        this.thread = DaemonThreads.named(what, name).newThread(this::run);
    }

    void start() {
        thread.start();
    }

    private void run() {
        Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(5));
        try {
            while (!closed) {
                List<Event> batch;
                try {
                    batch = fetcher.fetch();
                    backoff.reset();
                } catch (ClosedException e) {
                    return;
                } catch (RuntimeException e) {
                    if (closed) {
                        return;
                    }
                    Duration delay = backoff.next();
                    log.atWarn().addKeyValue(what, thread.getName()).addKeyValue("retryIn", delay).setCause(e)
                            .log("failed to read events; retrying");
                    sleep(delay);
                    continue;
                }
                // events already read are delivered even if close() started meanwhile: nothing read is dropped
                for (Event event : batch) {
                    try {
                        callback.accept(event);
                    } catch (Throwable t) {
                        log.atError().addKeyValue(what, thread.getName()).addKeyValue("event", event.id()).setCause(t)
                                .log("subscriber threw; going on with the next event");
                    }
                }
            }
        } finally {
            fetcher.release();
        }
    }

    private void sleep(Duration delay) {
        try {
            TimeUnit.NANOSECONDS.sleep(delay.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Makes a blocked fetch return so that the loop sees a change of the stream set now. */
    void wake() {
        fetcher.wake();
    }

    /**
     * Stops the loop: wakes a blocked read, lets the batch in hand be delivered, and waits for the
     * thread a bounded time. Idempotent; safe from the callback itself.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        fetcher.wake();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(Math.max(1, closeWait.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                // the wake-up did not get through (or a callback is slow): closing the connection
                // ends a blocked read; the loop then stops after the callback in hand
                fetcher.release();
            }
        }
        onClose.run();
    }

    boolean isClosed() {
        return closed;
    }
}
