package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PoolProducerTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void aClientOnlyNodeDispatchesNotifiesAndStopsJobs() {
        ExampleRun run = ExampleRun.of(REDIS, PoolProducer::run);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("the API service joined pool")
                .contains("dispatching report:acme again is refused")
                .contains("report:umbrella did not start")
                .contains("unknown tenant umbrella")
                .contains("jobs running in the pool: [report:acme, report:globex, report:initech]")
                .contains("worker: report:initech notified: include-drafts")
                .contains("after stopJob(report:acme) the pool runs [report:globex, report:initech]")
                .contains("pool producer: all checks passed");
        assertThat(run.leftKeys()).as("keys left in Redis").isEmpty();
    }
}
