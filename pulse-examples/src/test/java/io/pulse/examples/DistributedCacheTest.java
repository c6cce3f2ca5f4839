package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DistributedCacheTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void whatOneInstanceLoadsTheOthersReadLocallyAndAnInvalidationReachesAll() {
        ExampleRun run = ExampleRun.of(REDIS, DistributedCache::run);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("instance B reads user 42: {\"id\":\"42\",\"name\":\"Ada\"} (database queries: 1)")
                .contains("instance A reads user 7: {\"id\":\"7\",\"name\":\"Grace\"} (database queries: 2)")
                .contains("B no longer has it: true")
                .contains("distributed cache: all checks passed");
        assertThat(run.leftKeys()).as("keys left in Redis").isEmpty();
    }
}
