package io.pulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The hook benchmark runs briefly and fills its rows; it measures nothing here. */
class HookOverheadBenchmarkSmokeTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void everySideRunsEveryWorkloadAndLeavesNoKey() throws Exception {
        HookOverheadBenchmark.Result r = new HookOverheadBenchmark(REDIS.uri(), Duration.ofMillis(100), 1, 1).run();

        for (Map<HookOverheadBenchmark.Side, Double> figures : java.util.List.of(r.set(), r.add(), r.drain())) {
            assertThat(figures).containsOnlyKeys(HookOverheadBenchmark.Side.values());
            assertThat(figures.values()).allSatisfy(v -> assertThat(v).isPositive());
        }
        assertThat(RmapBenchmarks.hookRows(r)).hasSize(6);
        assertThat(REDIS.cli().keys("*bench-hook*")).isEmpty();
    }
}
