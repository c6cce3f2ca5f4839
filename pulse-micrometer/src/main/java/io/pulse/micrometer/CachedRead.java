package io.pulse.micrometer;

import io.pulse.core.internal.LogThrottle;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A value read from Redis for gauges, never waited for: a scrape gets the last value read and, if it
 * is older than the refresh interval, starts one asynchronous read in the background (never two at a
 * time). So a scrape never blocks, a slow or unreachable Redis costs at most one pending read per
 * value, and the reads follow the scrape rate, not the number of gauges sharing the value. Until the
 * first read completes, and after a read failed, the value is {@code null} (the gauges show NaN).
 * Thread-safe.
 */
final class CachedRead<T> {

    private static final Logger LOG = LoggerFactory.getLogger(CachedRead.class);
    private static final LogThrottle FAILURES = new LogThrottle(Duration.ofSeconds(30));

    private final String what;
    private final Supplier<CompletableFuture<T>> read;
    private final long refreshNanos;
    private final long timeoutMillis;
    private final AtomicBoolean reading = new AtomicBoolean();
    private volatile T value;
    private volatile long readAt;
    private volatile boolean started;

    /**
     * @param what names the value in log lines
     * @param read starts one read; must not block
     * @param refresh how old the value may get before a scrape starts a new read
     * @param timeout how long a read may take before it counts as failed
     */
    CachedRead(String what, Supplier<CompletableFuture<T>> read, Duration refresh, Duration timeout) {
        this.what = what;
        this.read = read;
        this.refreshNanos = refresh.toNanos();
        this.timeoutMillis = timeout.toMillis();
    }

    /** The last value read (or {@code null}), after starting a new read if it is stale. */
    T get() {
        if ((!started || System.nanoTime() - readAt > refreshNanos) && reading.compareAndSet(false, true)) {
            started = true;
            refresh();
        }
        return value;
    }

    private void refresh() {
        CompletableFuture<T> next;
        try {
            next = read.get();
        } catch (RuntimeException e) {
            failed(e);
            return;
        }
        next.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            if (e == null) {
                value = v;
                readAt = System.nanoTime();
                reading.set(false);
            } else {
                failed(e);
            }
        });
    }

    private void failed(Throwable e) {
        value = null;
        readAt = System.nanoTime();
        reading.set(false);
        long held = FAILURES.tryLog();
        if (held >= 0) {
            LOG.atWarn().addKeyValue("gauge", what).addKeyValue("heldBack", held).setCause(e)
                    .log("reading a gauge's value from Redis failed; it shows NaN until a read succeeds");
        }
    }
}
