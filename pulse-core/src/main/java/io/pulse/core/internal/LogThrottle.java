package io.pulse.core.internal;

import java.time.Duration;

/**
 * Lets a recurring warning through at most once per interval and counts the occurrences it held back,
 * so a fault that repeats every few hundred milliseconds (bad data in Redis, a missing permission)
 * shows in the log without flooding it. Thread-safe.
 */
public final class LogThrottle {

    private final long intervalNanos;
    private long nextAllowed; // guarded by this
    private boolean started; // guarded by this
    private long heldBack; // guarded by this

    /**
     * @throws IllegalArgumentException if {@code interval} is not positive
     */
    public LogThrottle(Duration interval) {
        this.intervalNanos = Args.positive("interval", interval).toNanos();
    }

    /**
     * Records one occurrence. Returns {@code -1} if it should not be logged, otherwise how many
     * occurrences were held back since the last one logged (to put in the line).
     */
    public synchronized long tryLog() {
        long now = System.nanoTime();
        if (started && now - nextAllowed < 0) {
            heldBack++;
            return -1;
        }
        started = true;
        nextAllowed = now + intervalNanos;
        long held = heldBack;
        heldBack = 0;
        return held;
    }

    /** Forgets the past: the next occurrence is logged at once (after the fault went away). */
    public synchronized void reset() {
        started = false;
        heldBack = 0;
    }
}
