package io.pulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The push-ack benchmark runs briefly and fills its rows; it measures nothing here. */
class SinkPushAckBenchmarkSmokeTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void everySideDrainsItsTurnsAndPerEventAcksAreOneXackEach() throws Exception {
        SinkPushAckBenchmark.Result r = new SinkPushAckBenchmark(REDIS.uri(), 1_000, 2, 1_000).run();

        for (SinkPushAckBenchmark.Side side : List.of(r.pushAck(), r.pullBatchAck(), r.pushAckAsync(),
                r.pushAckCoalesced(), r.rawPerEventAck())) {
            assertThat(side.eventsPerSecond()).isPositive();
        }
        assertThat(r.events()).isEqualTo(2_000);
        assertThat(r.pushAck().xacksPerEvent()).isEqualTo(1.0);
        assertThat(r.rawPerEventAck().xacksPerEvent()).isEqualTo(1.0);
        assertThat(r.pullBatchAck().xacksPerEvent()).isEqualTo(0.001);
        assertThat(r.pushAckCoalesced().xacksPerEvent()).isLessThan(1.0);
        assertThat(PerformanceBenchmarks.pushAckRows(r)).hasSize(6);
    }
}
