package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FanInTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void oneReaderGetsTheEventsOfThreeStreams() {
        ExampleRun run = ExampleRun.of(REDIS, FanIn::run);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("from payments  payment.captured order-7")
                .contains("from shipments parcel.shipped   order-7")
                .contains("events per stream: {orders=2, payments=2, shipments=1}")
                .contains("fan-in: all checks passed");
        assertThat(run.leftKeys()).as("keys left in Redis").isEmpty();
    }
}
