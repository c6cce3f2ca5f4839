package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SingleReaderTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void theReaderGetsOldAndNewEventsInOrder() {
        ExampleRun run = ExampleRun.of(REDIS, SingleReader::run);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("read 3 events:")
                .contains("read 2 events:")
                .contains("read again: 0 events")
                .contains("the reader got 5 events in order: true")
                .contains("single reader: all checks passed");
        assertThat(run.leftKeys()).as("keys left in Redis").isEmpty();
    }
}
