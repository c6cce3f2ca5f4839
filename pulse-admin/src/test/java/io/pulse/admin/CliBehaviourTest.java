package io.pulse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.admin.cli.PulseCli;
import io.pulse.testing.RedisServerExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Where the command line finds Redis, and what it says when the call is wrong or Redis is not there. */
class CliBehaviourTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @BeforeAll
    static void state() {
        try (GoPlayedState go = new GoPlayedState(REDIS.uri())) {
            go.write();
        }
    }

    private static Cli.Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = PulseCli.run(args, new PrintWriter(out), new PrintWriter(err), env,
                Clock.fixed(GoPlayedState.T, ZoneOffset.UTC));
        return new Cli.Result(code, out.toString(), err.toString());
    }

    @Test
    void withoutUrlTheRedisOfPulseRedisUrlIsUsed() {
        Cli.Result r = run(Map.of("PULSE_REDIS_URL", REDIS.uri()), "pools");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("goshop  1/2");
    }

    @Test
    void urlWinsOverTheEnvironment() throws Exception {
        Cli.Result r = run(Map.of("PULSE_REDIS_URL", "redis://127.0.0.1:" + freePort()), "pools", "--url", REDIS.uri());
        assertThat(r.code()).as(r.err()).isZero();
    }

    @Test
    void anUnreachableRedisIsOneClearErrorLine() throws Exception {
        Cli.Result r = run(Map.of(), "pools", "--url", "redis://127.0.0.1:" + freePort());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("error: cannot connect to Redis: ").doesNotContain("\tat ");
        assertThat(r.err().strip().lines()).hasSize(1);
    }

    @Test
    void aMissingArgumentIsAUsageErrorWithExitCodeTwo() {
        Cli.Result r = run(Map.of(), "pool", "--url", REDIS.uri());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required parameter: 'NAME'").contains("Usage: pulse pool");
        Cli.Result badTtl = run(Map.of(), "pools", "--worker-ttl", "soon", "--url", REDIS.uri());
        assertThat(badTtl.code()).isEqualTo(2);
        assertThat(badTtl.err()).contains("not a duration like 500ms, 30s, 5m or 1h: 'soon'");
    }

    @Test
    void aWorkerTtlOnTheCommandLineChangesWhoIsAlive() {
        assertThat(run(Map.of(), "pools", "--worker-ttl", "1h", "--url", REDIS.uri()).out())
                .contains("goshop  2/2    2/3");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
