package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LiveMetersTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void theMetersShowTheSinkCatchingUpAndThePoolsJobs() {
        ExampleRun run = ExampleRun.of(REDIS, LiveMeters::run);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("added 300 orders")
                .containsPattern("sink lag +0 +pending +0 +acks +300")
                .contains("meters of the sink after it closed: 0")
                .contains("sink caught up: true, acknowledged 300, jobs running 5")
                .contains("live meters: all checks passed");
        assertThat(run.leftKeys()).as("keys left in Redis").isEmpty();
    }
}
