package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PoolWorkerTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void jobsMoveWhenWorkersComeAndGo() {
        ExampleRun run = ExampleRun.of(REDIS, PoolWorker::run);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("dispatched 6 jobs; worker-1 runs [video-1, video-2, video-3, video-4, video-5, video-6]")
                .contains("worker-2 started video-1 (moved here)")
                .contains("after rebalancing: worker-1 runs [video-2, video-4], "
                        + "worker-2 runs [video-1, video-3, video-5, video-6]")
                .contains("notified: switch to 720p")
                .contains("worker-1 started video-1 (moved here)")
                .contains("pool worker: all checks passed");
        assertThat(run.leftKeys()).as("keys left in Redis").isEmpty();
    }
}
