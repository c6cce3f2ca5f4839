package io.pulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dispatch benchmark runs briefly and fills its rows; it measures nothing here. */
class PoolDispatchBenchmarkSmokeTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void bothSidesDispatchEveryKeyAndTheRowsCountTheirRedisCommands() throws Exception {
        List<PoolDispatchBenchmark.Level> levels = new PoolDispatchBenchmark(REDIS.uri(), new int[] {1, 4}, 20, 1).run();

        assertThat(levels).extracting(PoolDispatchBenchmark.Level::dispatchers).containsExactly(1, 4);
        for (PoolDispatchBenchmark.Level level : levels) {
            for (PoolDispatchBenchmark.Side side : List.of(level.pulse(), level.raw())) {
                assertThat(side.perSecond()).isPositive();
                assertThat(side.latency().samples()).isEqualTo(20);
                // each dispatch runs three scripts (claim, the worker's record of the job, release) on either side
                assertThat(side.commandsPerDispatch().get("evalsha")).isGreaterThanOrEqualTo(3.0);
                assertThat(side.commandsPerDispatch().get("xadd")).isGreaterThanOrEqualTo(4.0);
            }
        }
        List<Row> rows = PerformanceBenchmarks.dispatchRows(levels);
        assertThat(rows).isNotEmpty().allSatisfy(r -> {
            assertThat(r.markdown()).startsWith("| pool dispatch");
            assertThat(r.markdown().chars().filter(c -> c == '|')).hasSize(7);
        });
    }
}
