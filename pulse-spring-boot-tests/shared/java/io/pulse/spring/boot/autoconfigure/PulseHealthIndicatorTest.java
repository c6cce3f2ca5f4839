package io.pulse.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.testing.LeastPrivilegeAcl;
import io.pulse.testing.RedisServerExtension;
import io.pulse.pool.Job;
import io.pulse.pool.JobHandler;
import io.pulse.pool.Node;
import io.pulse.spring.boot.PulseWorker;
import io.pulse.spring.boot.autoconfigure.health.PulseHealthBoot3AutoConfiguration;
import io.pulse.spring.boot.autoconfigure.health.PulseHealthBoot4AutoConfiguration;
import io.pulse.spring.boot.tests.ActuatorHealth;
import io.pulse.streaming.Event;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code pulse} health indicator of this Boot line against a real Redis, under the conditions it is
 * there to report: a sink falling behind, Redis paused, Redis down and back, the node gone, and a
 * least-privilege Redis user.
 */
class PulseHealthIndicatorTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    /** Short timings, so that a failure shows within a second or two. */
    private static final String[] FAST_POOL = {"pulse.pools.jobs.worker-ttl=2s", "pulse.pools.jobs.ack-grace-period=1s",
            "pulse.pools.jobs.job-sink-block-duration=200ms", "pulse.pools.jobs.worker-shutdown-ttl=2s",
            "pulse.streams.events.max-len=1000", "pulse.health.timeout=1s"};

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PulseAutoConfiguration.class,
                    PulseHealthBoot3AutoConfiguration.class, PulseHealthBoot4AutoConfiguration.class))
            .withUserConfiguration(Workers.class).withPropertyValues(FAST_POOL);

    static class Handler implements JobHandler {
        @Override
        public void start(Job job) {
        }

        @Override
        public void stop(String key) {
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Workers {
        @Bean
        @PulseWorker(pool = "jobs", workers = 2)
        Handler handler() {
            return new Handler();
        }
    }

    private static ActuatorHealth health(AssertableApplicationContext context) {
        return ActuatorHealth.of(context.getBean("pulseHealthIndicator"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> detail(ActuatorHealth health, String... path) {
        Object at = health.details();
        for (String key : path) {
            at = ((Map<String, Object>) at).get(key);
        }
        return (Map<String, Object>) at;
    }

    /** Each test starts with the declared stream absent, so no other test's sinks show in its health. */
    @BeforeEach
    void deleteTheStream() {
        REDIS.cli().del("pulse:stream:events");
    }

    private ApplicationContextRunner withRedis() {
        return runner.withPropertyValues("pulse.redis.uri=" + REDIS.uri());
    }

    @Test
    void upWithTheNodeItsWorkersAndEachSinksLag() {
        withRedis().run(context -> {
            assertThat(context).hasNotFailed();
            try (Sink audit = context.getBean(Stream.class).sink("audit").open()) {
                context.getBean(Stream.class).add("e", new byte[] {1});
                ActuatorHealth health = health(context);
                assertThat(health.status()).as(health.problems()).isEqualTo("UP");
                assertThat(health.details()).containsEntry("redis", "reachable");
                Node node = context.getBean(Node.class);
                assertThat(detail(health, "pools", "jobs")).containsEntry("node", node.id())
                        .containsEntry("workers", 2).containsEntry("workersRunning", 2L).containsEntry("state", "joined");
                assertThat(detail(health, "sinks", "events/audit")).containsEntry("lag", "1")
                        .containsEntry("unacknowledged", 0L);
            }
        });
    }

    @Test
    void downWhileASinkLagsBeyondTheThresholdAndUpOnceItCaughtUp() {
        withRedis().withPropertyValues("pulse.health.max-sink-lag=3").run(context -> {
            Stream events = context.getBean(Stream.class);
            try (Sink audit = events.sink("lagging").blockDuration(Duration.ofMillis(200)).open()) {
                for (int i = 0; i < 5; i++) {
                    events.add("e", new byte[] {(byte) i});
                }
                ActuatorHealth behind = health(context);
                assertThat(behind.status()).isEqualTo("DOWN");
                assertThat(behind.problems()).contains("sink lagging of stream events is 5 events behind")
                        .contains("max-sink-lag is 3");
                List<Event> read = new ArrayList<>();
                while (read.size() < 5) {
                    read.addAll(audit.read());
                }
                audit.ack(read);
                ActuatorHealth caughtUp = health(context);
                assertThat(caughtUp.status()).as(caughtUp.problems()).isEqualTo("UP");
                assertThat(detail(caughtUp, "sinks", "events/lagging")).containsEntry("lag", "0");
            }
        });
    }

    @Test
    void downWithinTheHealthTimeoutWhileRedisIsPausedAndUpWhenItAnswersAgain() {
        withRedis().run(context -> {
            assertThat(health(context).status()).isEqualTo("UP");
            REDIS.pause();
            try {
                long started = System.nanoTime();
                ActuatorHealth paused = health(context);
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                assertThat(paused.status()).isEqualTo("DOWN");
                assertThat(paused.problems()).contains("did not answer within 1000 ms");
                // bounded by pulse.health.timeout (1 s), not by the command time-out (10 s)
                assertThat(took).isLessThan(Duration.ofSeconds(5));
                // a second request while the first read still waits joins it instead of piling up
                assertThat(health(context).status()).isEqualTo("DOWN");
            } finally {
                REDIS.resume();
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(health(context).status()).isEqualTo("UP"));
        });
    }

    @Test
    void downWhileRedisIsDownAndUpAfterItRestarts() {
        withRedis().run(context -> {
            assertThat(health(context).status()).isEqualTo("UP");
            REDIS.kill();
            try {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    ActuatorHealth down = health(context);
                    assertThat(down.status()).isEqualTo("DOWN");
                    assertThat(down.problems()).contains("the connection is down");
                });
            } finally {
                REDIS.restart();
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(health(context).status()).isEqualTo("UP"));
        });
    }

    @Test
    void downOnceTheNodeLeftItsPool() {
        withRedis().run(context -> {
            assertThat(health(context).status()).isEqualTo("UP");
            context.getBean(Node.class).close();
            ActuatorHealth left = health(context);
            assertThat(left.status()).isEqualTo("DOWN");
            assertThat(left.problems()).contains("the node of pool jobs left the pool");
            assertThat(detail(left, "pools", "jobs")).containsEntry("state", "left");
        });
    }

    @Test
    void aLeastPrivilegeUserNeedsXinfoStreamForTheSinkLag() {
        List<String> withXinfoStream = new ArrayList<>(LeastPrivilegeAcl.RULES);
        withXinfoStream.add("+xinfo|stream");
        String strict = LeastPrivilegeAcl.createUser(REDIS.cli(), REDIS.uri(), "health-strict");
        String granted = LeastPrivilegeAcl.createUser(REDIS.cli(), REDIS.uri(), "health-granted", withXinfoStream);
        // the stream must exist for its sinks to be read
        REDIS.cli().xadd("pulse:stream:events", Map.of("n", "e", "p", "x"));
        REDIS.cli().aclLogReset();

        runner.withPropertyValues("pulse.redis.uri=" + granted).run(context -> {
            assertThat(context).hasNotFailed();
            try (Sink audit = context.getBean(Stream.class).sink("acl-audit").open()) {
                ActuatorHealth health = health(context);
                assertThat(health.status()).as(health.problems()).isEqualTo("UP");
                assertThat(detail(health, "sinks")).containsKey("events/acl-audit");
            }
        });
        assertThat(REDIS.cli().aclLog()).as("commands refused to README's user plus +xinfo|stream").isEmpty();

        runner.withPropertyValues("pulse.redis.uri=" + strict).run(context -> {
            assertThat(context).hasNotFailed();
            ActuatorHealth health = health(context);
            assertThat(health.status()).isEqualTo("DOWN");
            assertThat(health.problems()).contains("NOPERM");
        });
    }
}
