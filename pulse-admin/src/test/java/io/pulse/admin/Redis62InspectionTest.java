package io.pulse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import java.time.Clock;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On Redis 6.2, the oldest Pulse supports, XINFO GROUPS reports no lag: the tools count it with one
 * bounded XRANGE after the group's last delivered id, up to 10,000, and say so when they stop there.
 */
class Redis62InspectionTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = RedisServerExtension.oldestSupported();

    static Cli cli;

    @BeforeAll
    static void state() {
        try (GoPlayedState go = new GoPlayedState(REDIS.uri())) {
            go.write();
        }
        assertThat(REDIS.cli().info("server")).contains("redis_version:6.2");
        cli = new Cli(REDIS.uri(), Clock.fixed(GoPlayedState.T, ZoneOffset.UTC));
    }

    @Test
    void lagIsCountedWhereRedisDoesNotReportIt() {
        assertThat(cli.out("stream", "orders")).contains("""
                SINK     LAG  UNACKED  OLDEST-UNACKED  CONSUMERS  LAST-DELIVERED
                audit    0    0        -               0          1767323035000-0
                billing  2    1        1m00s           2          1767322985000-0
                """);
        assertThat(cli.out("pool", "goshop")).contains("Pool stream goshop:pool: 5 events, 2 undelivered, 2 unacknowledged");
    }

    @Test
    void aLagBeyondTheCountingCapIsShownAsAtLeast() {
        REDIS.cli().eval("for i = 1, 10005 do redis.call('XADD', KEYS[1], '*', 'n', 'e', 'p', 'x') end return 1",
                io.lettuce.core.ScriptOutputType.INTEGER, new String[] {"pulse:stream:busy"});
        REDIS.cli().xgroupCreate(io.lettuce.core.XReadArgs.StreamOffset.from("pulse:stream:busy", "0-0"), "slow");
        assertThat(cli.out("stream", "busy")).contains("slow  10000+  0");
        assertThat(cli.out("streams")).contains("busy    10005   1      10000+");
    }
}
