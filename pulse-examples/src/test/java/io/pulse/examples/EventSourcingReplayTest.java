package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EventSourcingReplayTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void replayingTheStreamRebuildsTheState() {
        ExampleRun run = ExampleRun.of(REDIS, EventSourcingReplay::run);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("projection replayed 6 events")
                .contains("applied 2 new events")
                .contains("a new process replayed all 8 events")
                .contains("order-1: ada, 3 items, 108.00 EUR, shipped by la-poste")
                .contains("replayed state equals the resumed projection: true")
                .contains("event sourcing replay: all checks passed");
        assertThat(run.leftKeys()).as("keys left in Redis").isEmpty();
    }
}
