package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FeatureFlagsTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void aFlagFlippedByOneServiceChangesTheOther() {
        ExampleRun run = ExampleRun.of(REDIS, FeatureFlags::run);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("checkout joined and reads locally: new-checkout=false, max-items=50")
                .contains("checkout handles a request with the old checkout flow")
                .contains("checkout: feature.new-checkout is now true")
                .contains("checkout handles a request with the new checkout flow")
                .contains("both replicas agree: true")
                .contains("feature flags: all checks passed");
        assertThat(run.leftKeys()).as("keys left in Redis").isEmpty();
    }
}
