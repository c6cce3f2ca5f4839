package io.pulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The footprint measurement starts its node process, reads it and fills its rows; nothing is judged. */
class NodeFootprintSmokeTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void aNodeInAProcessOfItsOwnReportsThreadsMemoryConnectionsAndCommands() throws Exception {
        NodeFootprint.Result r = new NodeFootprint(REDIS.uri()).measure(2, Duration.ofSeconds(1), Duration.ofSeconds(1));

        assertThat(r.pulseThreads()).containsKey("pulse-reader-worker:<id>");
        assertThat(r.pulseThreads().get("pulse-reader-worker:<id>")).isEqualTo(2);
        assertThat(r.node().osThreads()).isGreaterThan(r.jvm().osThreads());
        assertThat(r.node().rssKb()).isPositive();
        assertThat(r.node().heapUsed()).isPositive();
        // at least the shared command connection, the subscriber and one blocking read per worker
        assertThat(r.connectionCount()).isGreaterThanOrEqualTo(4);
        assertThat(r.connections()).containsKey("pub/sub");
        List<Row> rows = PerformanceBenchmarks.footprintRows(List.of(r));
        assertThat(rows).hasSize(7);
        // six cells each: a command name such as xinfo|consumers must not split a cell
        assertThat(rows).allSatisfy(row -> assertThat(row.markdown().chars().filter(c -> c == '|')).hasSize(7));
        assertThat(REDIS.cli().keys("*bench-footprint*")).isEmpty();
    }
}
