package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SingleSinkTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void anUnacknowledgedEventComesBack() {
        ExampleRun run = ExampleRun.of(REDIS, SingleSink::run);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("payment-2: handling failed, not acknowledged")
                .contains("payment-2: invoiced and acknowledged (redelivered after the 1 s grace period)")
                .contains("nothing left to deliver: true")
                .contains("4 deliveries for 3 events, each invoiced once: true")
                .contains("single sink: all checks passed");
        assertThat(run.leftKeys()).as("keys left in Redis").isEmpty();
    }
}
