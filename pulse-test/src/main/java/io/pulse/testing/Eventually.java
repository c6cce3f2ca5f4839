package io.pulse.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Polls a condition every 20 ms until it holds or a deadline passes, blocking the calling thread;
 * immutable and thread-safe. {@link #until} waits for {@code true}, {@link #untilAsserted} for a check
 * that stops throwing {@link AssertionError}; any other exception ends the wait at once, as a bug does
 * not heal by waiting. Tests use it instead of sleeping and hoping: the deadline is generous (30 s by
 * default) because a loaded machine is slow, while a passing condition returns within one poll.
 *
 * <pre>{@code eventually().untilAsserted(() -> assertThat(seen).hasSize(3));}</pre>
 *
 * Written here rather than taken from a polling library so that this artifact brings its users no
 * dependency beyond Pulse and the JUnit API.
 */
public final class Eventually {

    /** The deadline of {@link #eventually()}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final long POLL_MILLIS = 20;

    private final Duration atMost;

    private Eventually(Duration atMost) {
        if (atMost == null || atMost.isNegative() || atMost.isZero()) {
            throw new IllegalArgumentException("atMost must be a positive duration, got " + atMost);
        }
        this.atMost = atMost;
    }

    /** Waits of up to {@link #DEFAULT_TIMEOUT}. */
    public static Eventually eventually() {
        return new Eventually(DEFAULT_TIMEOUT);
    }

    /** Waits of up to {@code atMost}, which must be positive. */
    public static Eventually eventually(Duration atMost) {
        return new Eventually(atMost);
    }

    /** A check that fails by throwing, typically an assertion. */
    @FunctionalInterface
    public interface Check {
        /** Returns normally when the condition holds; throws {@link AssertionError} while it does not. */
        void run() throws Exception;
    }

    /**
     * Returns once {@code condition} gives {@code true}; throws {@link AssertionError} naming the
     * deadline if it never does.
     */
    public void until(Callable<Boolean> condition) {
        untilAsserted(() -> {
            if (!Boolean.TRUE.equals(condition.call())) {
                throw new AssertionError("the condition was still false");
            }
        });
    }

    /**
     * Returns once {@code check} runs without an {@link AssertionError}; throws the last one (with the
     * deadline in its message) if it never does. Any other exception of the check is rethrown at once.
     */
    public void untilAsserted(Check check) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new AssertionError("not true within " + atMost + ": " + e.getMessage(), e);
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("the condition failed", e);
            }
            pause();
        }
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a condition", e);
        }
    }
}
