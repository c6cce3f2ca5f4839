package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class WorkQueueTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void sinkInstancesShareTheEventsAndNoneIsLost() {
        ExampleRun run = ExampleRun.of(REDIS, WorkQueue::run);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("worker-3 took image-00 and crashed before its ack")
                .contains("made the thumbnail of image-00 (re-claimed from worker-3 after the grace period)")
                .contains("all 12 uploads handled, each by one worker, none lost: true")
                .contains("work queue: all checks passed");
        assertThat(run.leftKeys()).as("keys left in Redis").isEmpty();
    }
}
