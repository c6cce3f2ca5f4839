package io.pulse.core.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks shared by every builder: each throws at the call, naming the argument, before any
 * Redis I/O. Stateless.
 */
public final class Args {

    /** The longest duration any option takes: longer ones are mistakes (and overflow milliseconds). */
    public static final Duration MAX_DURATION = Duration.ofDays(36_500);

    private Args() {
    }

    /**
     * @throws NullPointerException if {@code d} is null
     * @throws IllegalArgumentException if {@code d} is zero, negative or over {@link #MAX_DURATION}
     */
    public static Duration positive(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
        return atMostMax(what, d);
    }

    /**
     * @throws NullPointerException if {@code d} is null
     * @throws IllegalArgumentException if {@code d} is negative or over {@link #MAX_DURATION}
     */
    public static Duration nonNegative(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must be >= 0: " + d);
        }
        return atMostMax(what, d);
    }

    /**
     * Checks a time-to-live: zero (none) or from 1 ms to {@link #MAX_DURATION}. Redis expires keys to the
     * millisecond, so a shorter TTL would silently mean "none".
     *
     * @throws NullPointerException if {@code d} is null
     * @throws IllegalArgumentException if {@code d} is negative, between zero and 1 ms, or too long
     */
    public static Duration ttl(String what, Duration d) {
        nonNegative(what, d);
        if (!d.isZero() && d.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException(what + " must be zero (no TTL) or at least 1 ms: " + d);
        }
        return d;
    }

    private static Duration atMostMax(String what, Duration d) {
        if (d.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(what + " must be at most " + MAX_DURATION.toDays() + " days: " + d);
        }
        return d;
    }

    /**
     * @throws IllegalArgumentException if {@code n} is below 1
     */
    public static int atLeastOne(String what, int n) {
        if (n < 1) {
            throw new IllegalArgumentException(what + " must be >= 1: " + n);
        }
        return n;
    }
}
