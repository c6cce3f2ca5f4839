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

        // one reader for the node stream and both workers' streams, none per worker
        assertThat(r.pulseThreads()).containsEntry("pulse-reader-<pool>:node:<id>", 1)
                .doesNotContainKey("pulse-reader-worker:<id>");
        assertThat(r.node().osThreads()).isGreaterThan(r.jvm().osThreads());
        assertThat(r.node().rssKb()).isPositive();
        assertThat(r.node().heapUsed()).isPositive();
        // the shared command connection, the subscriber, the node's one read and the pool sink's
        assertThat(r.connectionCount()).isEqualTo(4);
        assertThat(r.connections()).containsKey("pub/sub");
        List<Row> rows = PerformanceBenchmarks.footprintRows(List.of(r));
        assertThat(rows).hasSize(7);
        // six cells each: a command name such as xinfo|consumers must not split a cell
        assertThat(rows).allSatisfy(row -> assertThat(row.markdown().chars().filter(c -> c == '|')).hasSize(7));
        assertThat(REDIS.cli().keys("*bench-footprint*")).isEmpty();
    }
}
