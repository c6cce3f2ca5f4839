package io.pulse.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling helpers of the cluster and Sentinel extensions. */
final class Waits {

    private Waits() {
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Polls {@code condition} (exceptions count as false) until it holds, or fails after {@code deadline}. */
    static void until(String what, Duration deadline, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() - end < 0) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            sleep(100);
        }
        throw new IllegalStateException("timed out after " + deadline + " waiting until " + what, last);
    }
}
