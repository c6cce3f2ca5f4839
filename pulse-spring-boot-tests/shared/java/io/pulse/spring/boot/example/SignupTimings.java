package io.pulse.spring.boot.example;

import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Short pool timings for the example service in tests, so that a node that leaves or dies is dealt with
 * in a second or two instead of Pulse's production defaults (30 s, 20 s).
 */
final class SignupTimings {

    private SignupTimings() {
    }

    static void fast(BiConsumer<String, Supplier<Object>> property) {
        property.accept("pulse.pools.email.worker-ttl", () -> "2s");
        property.accept("pulse.pools.email.ack-grace-period", () -> "1s");
        property.accept("pulse.pools.email.job-sink-block-duration", () -> "200ms");
        property.accept("pulse.pools.email.worker-shutdown-ttl", () -> "2s");
        property.accept("pulse.health.timeout", () -> "2s");
    }
}
