package io.pulse.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures how long this JVM could not run a thread that asked to wake up every 2 ms (a collection
 * pausing every thread, or a loaded machine not scheduling it), and, with a probe, how long Redis
 * took to answer a {@code PING} sent every 10 ms (a redis-server the machine does not schedule), so
 * that a timing test can tell a late event its code caused from one that neither this JVM nor Redis
 * could have served in time.
 */
final class StallMonitor implements AutoCloseable {

    /** A span during which the monitor's thread did not run although it should have. */
    record Stall(long fromNanos, long toNanos) {
        long millis() {
            return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
        }

        boolean overlaps(long from, long to) {
            return fromNanos < to && toNanos > from;
        }
    }

    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final long thresholdNanos;
    private final List<Stall> stalls = new ArrayList<>(); // guarded by this
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    /**
     * Starts measuring; a wake-up later than {@code thresholdMillis}, or a {@code redisPing} that takes
     * longer, is recorded as a stall.
     */
    StallMonitor(long thresholdMillis, Runnable redisPing) {
        this.thresholdNanos = TimeUnit.MILLISECONDS.toNanos(thresholdMillis);
        start("stall-monitor", this::run);
        start("stall-monitor-redis", () -> probe(redisPing));
    }

    private void start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        threads.add(t);
    }

    private void probe(Runnable ping) {
        while (running) {
            long from = System.nanoTime();
            ping.run();
            long to = System.nanoTime();
            if (to - from > thresholdNanos) {
                record(from, to);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private synchronized void record(long from, long to) {
        stalls.add(new Stall(from, to));
    }

    private void run() {
        long expected = System.nanoTime() + TICK_NANOS;
        while (running) {
            LockSupport.parkNanos(TICK_NANOS);
            long now = System.nanoTime();
            if (now - expected > thresholdNanos) {
                record(expected, now);
            }
            expected = now + TICK_NANOS;
        }
    }

    /** The longest stall that overlaps {@code [fromNanos, toNanos)}, in milliseconds (0 if none). */
    synchronized long longestStallMillis(long fromNanos, long toNanos) {
        long longest = 0;
        for (Stall s : stalls) {
            if (s.overlaps(fromNanos, toNanos)) {
                longest = Math.max(longest, s.millis());
            }
        }
        return longest;
    }

    synchronized List<Stall> stalls() {
        return new ArrayList<>(stalls);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(1_000);
        }
    }
}
