package io.pulse.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The polling and log helpers other modules' tests lean on: they must fail when the condition does. */
class TestHelpersTest {

    @Test
    void eventuallyReturnsOnceTheConditionHoldsAndPollsUntilThen() {
        AtomicInteger calls = new AtomicInteger();
        Eventually.eventually().until(() -> calls.incrementAndGet() >= 3);
        assertThat(calls).hasValue(3);

        AtomicInteger checks = new AtomicInteger();
        Eventually.eventually().untilAsserted(() -> assertThat(checks.incrementAndGet()).isEqualTo(4));
        assertThat(checks).hasValue(4);
    }

    @Test
    void eventuallyFailsWithTheLastAssertionWhenTheDeadlinePasses() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> Eventually.eventually(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat("never").isEqualTo("done")))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("not true within PT0.2S")
                .hasMessageContaining("never");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThatThrownBy(() -> Eventually.eventually(Duration.ofMillis(100)).until(() -> false))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void eventuallyStopsAtOnceOnAnExceptionThatIsNotAnAssertion() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> Eventually.eventually().until(() -> {
            calls.incrementAndGet();
            throw new IllegalStateException("broken");
        })).isInstanceOf(IllegalStateException.class).hasMessage("broken");
        assertThat(calls).hasValue(1);
        assertThatThrownBy(() -> Eventually.eventually(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("atMost");
    }

    @Test
    void logCaptureCopiesStandardErrorUntilClosedAndPassesItThrough() {
        java.io.PrintStream before = System.err;
        LogCapture capture = LogCapture.install();
        try {
            System.err.println("seen by the capture");
        } finally {
            capture.close();
        }
        System.err.println("after the capture");
        assertThat(System.err).isSameAs(before);
        assertThat(capture.text()).contains("seen by the capture").doesNotContain("after the capture");
    }
}
