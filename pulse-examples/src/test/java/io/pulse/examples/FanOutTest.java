package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FanOutTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void everyReaderGetsEveryEvent() {
        ExampleRun run = ExampleRun.of(REDIS, FanOut::run);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("analytics received [order-1, order-2, order-3, order-4, order-5]")
                .contains("search-index received [order-1, order-2, order-3, order-4, order-5]")
                .contains("notifier received [order-1, order-2, order-3, order-4, order-5]")
                .contains("fan-out: all checks passed");
        assertThat(run.leftKeys()).as("keys left in Redis").isEmpty();
    }
}
