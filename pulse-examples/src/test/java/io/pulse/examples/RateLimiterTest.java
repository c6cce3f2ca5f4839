package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RateLimiterTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void twoServicesShareOneGlobalLimit() {
        ExampleRun run = ExampleRun.of(REDIS, RateLimiter::run);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("calls:window-1: 16 requests over both services -> 10 accepted, 6 refused")
                .contains("calls:window-2: 6 requests over both services -> 6 accepted, 0 refused")
                .contains("catalog's replica shows 16 requests counted in calls:window-1")
                .contains("rate limiter: all checks passed");
        assertThat(run.leftKeys()).as("keys left in Redis").isEmpty();
    }
}
