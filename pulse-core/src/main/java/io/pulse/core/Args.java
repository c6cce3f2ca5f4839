package io.pulse.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks shared by every builder: each throws at the call, naming the argument, before any
 * Redis I/O. Stateless.
 */
public final class Args {

    private Args() {
    }

    /**
     * @throws NullPointerException if {@code d} is null
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    public static Duration positive(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
        return d;
    }

    /**
     * @throws NullPointerException if {@code d} is null
     * @throws IllegalArgumentException if {@code d} is negative
     */
    public static Duration nonNegative(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must be >= 0: " + d);
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
