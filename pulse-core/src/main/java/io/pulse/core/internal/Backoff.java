package io.pulse.core.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Jittered exponential back-off for retry loops: each {@link #next()} returns a random delay between
 * the minimum and a cap that doubles after every failure up to the maximum ("full jitter"), so many
 * processes retrying after the same outage do not reconnect in lock-step. Not thread-safe: one
 * instance per loop.
 */
public final class Backoff {

    private final long minNanos;
    private final long maxNanos;
    private long capNanos;

    /**
     * @throws IllegalArgumentException if {@code min} is not positive or {@code max < min}
     */
    public Backoff(Duration min, Duration max) {
        if (min.isNegative() || min.isZero()) {
            throw new IllegalArgumentException("min must be positive: " + min);
        }
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException("max must be >= min: " + max + " < " + min);
        }
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
        this.capNanos = minNanos;
    }

    /** Returns the delay before the next attempt and widens the window for the one after. */
    public Duration next() {
        long cap = capNanos;
        capNanos = Math.min(maxNanos, cap > maxNanos / 2 ? maxNanos : cap * 2);
        long delay = cap <= minNanos ? minNanos : ThreadLocalRandom.current().nextLong(minNanos, cap + 1);
        return Duration.ofNanos(delay);
    }

    /** Starts over from the minimum, after a success. */
    public void reset() {
        capNanos = minNanos;
    }
}
