package io.pulse.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.AclSetuserArgs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisServerExtension;
import io.pulse.micrometer.PulseMetrics;
import io.pulse.pool.Job;
import io.pulse.pool.JobHandler;
import io.pulse.pool.Node;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.spring.boot.PulseWorker;
import io.pulse.spring.boot.autoconfigure.health.PulseHealthBoot3AutoConfiguration;
import io.pulse.spring.boot.autoconfigure.health.PulseHealthBoot4AutoConfiguration;
import io.pulse.spring.boot.autoconfigure.metrics.PulseMetricsAutoConfiguration;
import io.pulse.spring.boot.tests.BootLine;
import io.pulse.streaming.Stream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Every branch of the auto-configuration, each in a fresh application context against a real Redis:
 * where the connection comes from (Pulse's properties, Spring's, none, the application's own bean), the
 * declared components, the workers' pool check, and the Actuator and Micrometer pieces present or not.
 */
class PulseAutoConfigurationTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PulseAutoConfiguration.class,
                    PulseHealthBoot3AutoConfiguration.class, PulseHealthBoot4AutoConfiguration.class,
                    PulseMetricsAutoConfiguration.class));

    private ApplicationContextRunner withRedis() {
        return runner.withPropertyValues("pulse.redis.uri=" + REDIS.uri());
    }

    /** Injects the declared components by their names, as an application does. */
    @Configuration(proxyBeanMethods = false)
    static class Consumer {
        @Bean
        Object consumer(@Qualifier("flags") ReplicatedMap flags, @Qualifier("events") Stream events,
                @Qualifier("jobs") Node jobs) {
            return new Object[] {flags, events, jobs};
        }
    }

    @Test
    void declaredMapsStreamsAndPoolsBecomeBeansQualifiedByTheirNames() {
        withRedis().withUserConfiguration(Consumer.class)
                .withPropertyValues("pulse.maps.flags.enabled=true", "pulse.streams.events.max-len=50",
                        "pulse.pools.jobs.client-only=true", "pulse.pools.jobs.worker-ttl=3s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    ReplicatedMap flags = context.getBean("pulse.map.flags", ReplicatedMap.class);
                    Stream events = context.getBean("pulse.stream.events", Stream.class);
                    Node jobs = context.getBean("pulse.node.jobs", Node.class);
                    assertThat(flags.name()).isEqualTo("flags");
                    assertThat(events.maxLen()).isEqualTo(50);
                    assertThat(jobs.poolName()).isEqualTo("jobs");
                    flags.setAndWait("k", "v");
                    assertThat(REDIS.cli().hget("map:flags:content", "k")).isEqualTo("v");
                    // the node published the worker TTL it was given
                    assertThat(REDIS.cli().hget("map:jobs:keepalive-ttl:content", jobs.id())).isNotNull();
                });
    }

    @Test
    void disabledComponentsAreNotCreated() {
        withRedis().withPropertyValues("pulse.maps.off.enabled=false", "pulse.streams.on.enabled=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean("pulse.map.off");
                    assertThat(context).hasBean("pulse.stream.on");
                });
    }

    @Test
    void componentsCloseBeforeTheConnectionAndTheConnectionClosesWithTheContext() {
        PulseRedis[] redis = new PulseRedis[1];
        ReplicatedMap[] map = new ReplicatedMap[1];
        Node[] node = new Node[1];
        withRedis().withPropertyValues("pulse.maps.flags.enabled=true", "pulse.pools.jobs.enabled=true")
                .run(context -> {
                    redis[0] = context.getBean(PulseRedis.class);
                    map[0] = context.getBean(ReplicatedMap.class);
                    node[0] = context.getBean(Node.class);
                    assertThat(redis[0].isClosed()).isFalse();
                });
        assertThat(redis[0].isClosed()).isTrue();
        assertThat(map[0].isClosed()).isTrue();
        assertThat(node[0].isClosed()).isTrue();
    }

    @Test
    void pulseUriWinsOverSpringsSettings() {
        withRedis().withPropertyValues("spring.data.redis.port=1", "pulse.maps.flags.enabled=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    context.getBean(ReplicatedMap.class).setAndWait("k", "pulse-uri");
                    assertThat(REDIS.cli().hget("map:flags:content", "k")).isEqualTo("pulse-uri");
                });
    }

    @Test
    void springsHostPortUserAndPasswordAreTheFallback() {
        URI server = URI.create(REDIS.uri());
        Assumptions.assumeTrue(server.getUserInfo() == null, "the test Redis already needs credentials");
        // characters a URI must escape, so that the fallback has to encode them right
        String password = "p@ss:w/rd %1?#";
        REDIS.cli().aclSetuser("spring-user", AclSetuserArgs.Builder.on().addPassword(password).allKeys()
                .allChannels().allCommands());
        runner.withPropertyValues("spring.data.redis.host=" + server.getHost(),
                        "spring.data.redis.port=" + server.getPort(), "spring.data.redis.username=spring-user",
                        "spring.data.redis.password=" + password, "pulse.maps.flags.enabled=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    context.getBean(ReplicatedMap.class).setAndWait("k", "spring-settings");
                    assertThat(REDIS.cli().hget("map:flags:content", "k")).isEqualTo("spring-settings");
                    assertThat(REDIS.cli().clientList()).contains("user=spring-user");
                });
    }

    @Test
    void springsUrlIsTheFallback() {
        runner.withPropertyValues("spring.data.redis.url=" + REDIS.uri(), "pulse.maps.flags.enabled=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    context.getBean(ReplicatedMap.class).setAndWait("k", "spring-url");
                    assertThat(REDIS.cli().hget("map:flags:content", "k")).isEqualTo("spring-url");
                });
    }

    @Test
    void withoutSettingsPulseConnectsToLocalhost6379() {
        Assumptions.assumeFalse(listening(6379), "a Redis listens on localhost:6379: the failure to reach it "
                + "cannot be shown");
        runner.run(context -> {
            assertThat(context).hasFailed();
            // Pulse's own failure, naming the address it tried
            assertThat(context.getStartupFailure()).hasStackTraceContaining("NotSentException")
                    .hasStackTraceContaining("cannot connect to Redis").hasStackTraceContaining("localhost")
                    .hasStackTraceContaining(":6379");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnConnection {
        @Bean
        PulseRedis myRedis() {
            return PulseRedis.connect(REDIS.uri());
        }
    }

    @Test
    void theApplicationsOwnPulseRedisWins() {
        // a URI nothing listens on: connecting to it would fail the context
        runner.withUserConfiguration(OwnConnection.class)
                .withPropertyValues("pulse.redis.uri=redis://127.0.0.1:1", "pulse.maps.flags.enabled=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasSingleBean(PulseRedis.class).hasBean("myRedis");
                    context.getBean(ReplicatedMap.class).setAndWait("k", "own-bean");
                    assertThat(REDIS.cli().hget("map:flags:content", "k")).isEqualTo("own-bean");
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class Customizers {
        static final AtomicInteger CALLS = new AtomicInteger();

        @Bean
        PulseRedisBuilderCustomizer customizer() {
            return builder -> {
                CALLS.incrementAndGet();
                // an invalid option fails at the call: proof that the builder is the one that connects
                builder.commandTimeout(java.time.Duration.ofSeconds(-1));
            };
        }
    }

    @Test
    void builderCustomizersRunBeforeConnecting() {
        withRedis().withUserConfiguration(Customizers.class).run(context -> {
            assertThat(Customizers.CALLS.get()).isEqualTo(1);
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("commandTimeout");
        });
    }

    @Test
    void invalidComponentNameFailsStartupNamingIt() {
        withRedis().withPropertyValues("pulse.maps[bad*name].enabled=true").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("bad*name");
        });
    }

    @Test
    void bothTtlsOnOneStreamFailStartupNamingIt() {
        withRedis().withPropertyValues("pulse.streams.events.ttl=1h", "pulse.streams.events.sliding-ttl=1h")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("pulse.streams.events")
                            .hasMessageContaining("not both");
                });
    }

    static class Handler implements JobHandler {
        @Override
        public void start(Job job) {
        }

        @Override
        public void stop(String key) {
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class WorkerOfUndeclaredPool {
        @Bean
        @PulseWorker(pool = "undeclared")
        Handler strayHandler() {
            return new Handler();
        }
    }

    @Test
    void workerOfAnUndeclaredPoolFailsStartupNamingBeanAndPool() {
        withRedis().withUserConfiguration(WorkerOfUndeclaredPool.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("strayHandler")
                    .hasMessageContaining("pulse.pools.undeclared");
        });
    }

    @Test
    void workerOfAClientOnlyPoolFailsStartup() {
        withRedis().withUserConfiguration(WorkerOfUndeclaredPool.class)
                .withPropertyValues("pulse.pools.undeclared.client-only=true").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("client-only");
                });
    }

    @Test
    void healthIndicatorOfThisBootLineWhenTheActuatorIsThere() throws ClassNotFoundException {
        Class<?> indicatorType = Class.forName(BootLine.HEALTH_INDICATOR);
        withRedis().run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasBean("pulseHealthIndicator");
            assertThat(context.getBean("pulseHealthIndicator")).isInstanceOf(indicatorType);
            assertThat(context.getBeanNamesForType(indicatorType)).containsExactly("pulseHealthIndicator");
        });
    }

    @Test
    void aHealthTimeoutThatIsNotPositiveFailsStartupNamingIt() {
        withRedis().withPropertyValues("pulse.health.timeout=0s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("pulse.health.timeout");
        });
    }

    @Test
    void noHealthIndicatorWithoutTheActuator() {
        withRedis().withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate.health",
                "org.springframework.boot.health")).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean("pulseHealthIndicator");
                });
    }

    @Test
    void noHealthIndicatorWhenSwitchedOff() {
        withRedis().withPropertyValues("management.health.pulse.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean("pulseHealthIndicator");
        });
    }

    @Test
    void metricsConfigurationWhenMicrometerAndTheBinderAreThere() {
        withRedis().run(context -> assertThat(context).hasSingleBean(PulseMetricsAutoConfiguration.class));
    }

    @Test
    void theBinderIsBoundToTheApplicationsRegistryAndPublishesPulsesMeters() throws ClassNotFoundException {
        withRedis().withBean(SimpleMeterRegistry.class).withConfiguration(AutoConfigurations.of(metricsAutoConfiguration()))
                .run(context -> {
                    assertThat(context).hasSingleBean(PulseMetrics.class);
                    SimpleMeterRegistry registry = context.getBean(SimpleMeterRegistry.class);
                    String map = RedisServerExtension.uniqueName("metered");
                    ReplicatedMap.join(map, context.getBean(PulseRedis.class)).set("k", "v");
                    assertThat(registry.find("pulse.map.size").tag("map", map).gauge()).isNotNull();
                    assertThat(registry.find("pulse.map.write").tag("map", map).timer().count()).isEqualTo(1);
                });
    }

    @Test
    void noBinderWithoutAMeterRegistry() {
        withRedis().run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(PulseMetrics.class);
        });
    }

    @Test
    void anApplicationsOwnBinderIsKept() {
        withRedis().withBean(SimpleMeterRegistry.class).withUserConfiguration(OwnMetrics.class)
                .run(context -> assertThat(context).getBean(PulseMetrics.class).isSameAs(context.getBean("ownMetrics")));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnMetrics {
        @Bean
        PulseMetrics ownMetrics(PulseRedis redis) {
            return PulseMetrics.builder(redis).workerTags(true).build();
        }
    }

    /** Boot's metrics auto-configuration, which binds MeterBinder beans, under its 3.5 or 4.0 name. */
    private static Class<?> metricsAutoConfiguration() throws ClassNotFoundException {
        try {
            return Class.forName("org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration");
        } catch (ClassNotFoundException e) {
            return Class.forName("org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration");
        }
    }

    @Test
    void noMetricsConfigurationWithoutMicrometer() {
        withRedis().withClassLoader(new FilteredClassLoader("io.micrometer.core")).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(PulseMetricsAutoConfiguration.class);
        });
    }

    @Test
    void noMetricsConfigurationWithoutTheBinder() {
        withRedis().withClassLoader(new FilteredClassLoader(PulseMetrics.class)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(PulseMetricsAutoConfiguration.class);
        });
    }

    @Test
    void nothingWithoutPulseOnTheClassPath() {
        runner.withClassLoader(new FilteredClassLoader(PulseRedis.class)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(PulseAutoConfiguration.class);
            assertThat(context).doesNotHaveBean("pulseHealthIndicator");
        });
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
