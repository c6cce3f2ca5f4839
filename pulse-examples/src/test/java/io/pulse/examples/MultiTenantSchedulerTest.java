package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MultiTenantSchedulerTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void theScheduleKeepsOneJobPerTenant() {
        ExampleRun run = ExampleRun.of(REDIS, MultiTenantScheduler::run);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("node-a: start syncing sync:umbrella")
                .contains("node-b: stop syncing sync:acme")
                .contains("node-b: start syncing sync:umbrella (moved here)")
                .contains("the pool runs [sync:initech, sync:umbrella, sync:wayne]")
                .contains("multi-tenant scheduler: all checks passed");
        assertThat(run.leftKeys()).as("keys left in Redis").isEmpty();
    }
}
