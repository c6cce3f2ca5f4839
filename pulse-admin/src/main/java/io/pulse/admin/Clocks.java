package io.pulse.admin;

import java.time.Duration;
import java.time.Instant;

/** Ages of timestamps other processes wrote, measured with the inspecting clock. */
final class Clocks {

    private Clocks() {
    }

    /**
     * How long ago {@code then} was; zero for a time slightly ahead (another host's clock runs
     * ahead), null for null.
     */
    static Duration age(Instant now, Instant then) {
        if (then == null) {
            return null;
        }
        Duration d = Duration.between(then, now);
        return d.isNegative() ? Duration.ZERO : d;
    }
}
