package io.pulse.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures how late this JVM runs a timer task handed over to another thread (the path a tick takes:
 * a scheduler thread, then a callback thread), and, with a probe, how long Redis takes to answer a
 * {@code PING} sent every 10 ms. A collection pausing every thread, or a machine too loaded to
 * schedule this JVM or redis-server, shows up here as a stall, so a timing test can tell a late event
 * its code caused from one that neither this JVM nor Redis could have served in time.
 */
final class StallMonitor implements AutoCloseable {

    /** A span during which a timer or Redis answered late. */
    record Stall(long fromNanos, long toNanos) {
        long millis() {
            return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
        }

        boolean overlaps(long from, long to) {
            return fromNanos < to && toNanos > from;
        }
    }

    private static final long BEAT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final long thresholdNanos;
    private final List<Stall> stalls = new ArrayList<>(); // guarded by this
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(named("stall-timer"));
    private final ExecutorService handOff = Executors.newSingleThreadExecutor(named("stall-callback"));
    private final Thread redisProbe;
    private final long origin = System.nanoTime();
    private long beats; // on the timer thread only
    private volatile boolean running = true;

    /**
     * Starts measuring; a timer task that runs later than {@code thresholdMillis} after its time, or
     * a {@code redisPing} that takes longer, is recorded as a stall.
     */
    StallMonitor(long thresholdMillis, Runnable redisPing) {
        this.thresholdNanos = TimeUnit.MILLISECONDS.toNanos(thresholdMillis);
        timer.scheduleAtFixedRate(this::beat, BEAT_NANOS, BEAT_NANOS, TimeUnit.NANOSECONDS);
        redisProbe = named("stall-redis").newThread(() -> probe(redisPing));
        redisProbe.start();
    }

    /** On the timer thread: hands the beat over, as a tick is handed to its listener's thread. */
    private void beat() {
        long due = origin + ++beats * BEAT_NANOS;
        handOff.execute(() -> {
            long now = System.nanoTime();
            if (now - due > thresholdNanos) {
                record(due, now);
            }
        });
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

    private static java.util.concurrent.ThreadFactory named(String name) {
        return task -> {
            Thread t = new Thread(task, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        timer.shutdownNow();
        handOff.shutdownNow();
        redisProbe.join(1_000);
    }
}
