package io.pulse.pool;

import java.time.Instant;

/**
 * The one clock of the pool module: wall-clock time as the pool's maps and records hold it, in Unix
 * nanoseconds (keep-alives, creation times, guard deadlines, job records) or microseconds (ticker
 * entries), as Go Pulse writes them, and the conversions and lenient parsing they need. Stateless.
 */
final class PoolClock {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private PoolClock() {
    }

    /** Now, in Unix nanoseconds. */
    static long nowNanos() {
        return toNanos(Instant.now());
    }

    /** Now, in Unix microseconds. */
    static long nowMicros() {
        return nowNanos() / 1000;
    }

    static long toNanos(Instant t) {
        return t.getEpochSecond() * NANOS_PER_SECOND + t.getNano();
    }

    static Instant fromNanos(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, NANOS_PER_SECOND), Math.floorMod(nanos, NANOS_PER_SECOND));
    }

    static Instant fromMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    }

    /** A decimal timestamp read from a map, or {@code null} if there is none or it does not parse. */
    static Long parseNanos(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
