package io.pulse.spring.boot.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisServerExtension;
import io.pulse.examples.spring.SignupApplication;
import io.pulse.examples.spring.WelcomeEmailWorker;
import io.pulse.pool.Node;
import io.pulse.spring.boot.autoconfigure.PulsePools;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Two instances of the example service share the email pool; closing one (as a rolling deployment does)
 * hands each of its jobs to the other, and none is lost: Spring's graceful shutdown lets the node leave
 * its pool while the connection is still open.
 */
class SignupGracefulShutdownTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final int SIGNUPS = 20;

    private final List<ConfigurableApplicationContext> instances = new ArrayList<>();

    /**
     * Records, when Spring stops it, whether the node has left its pool and whether the connection is
     * still open. Its phase is just below the Pulse lifecycle's, so Spring stops it right after.
     */
    static final class ShutdownWitness implements SmartLifecycle {
        private final Node node;
        private final PulseRedis redis;
        private volatile boolean running;
        volatile Boolean nodeClosedAtStop;
        volatile Boolean redisClosedAtStop;

        ShutdownWitness(Node node, PulseRedis redis) {
            this.node = node;
            this.redis = redis;
        }

        @Override
        public void start() {
            running = true;
        }

        @Override
        public void stop() {
            nodeClosedAtStop = node.isClosed();
            redisClosedAtStop = redis.isClosed();
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return PulsePools.PHASE - 1;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Witness {
        @Bean
        ShutdownWitness shutdownWitness(@Qualifier("email") Node node, PulseRedis redis) {
            return new ShutdownWitness(node, redis);
        }
    }

    private ConfigurableApplicationContext startInstance() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("server.port", 0);
        properties.put("pulse.redis.uri", REDIS.uri());
        SignupTimings.fast((name, value) -> properties.put(name, value.get()));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SignupApplication.class, Witness.class)
                .properties(properties).run();
        instances.add(context);
        return context;
    }

    @AfterEach
    void closeInstances() {
        instances.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void closingAnInstanceHandsEachOfItsJobsToTheOtherAndLosesNone() {
        ConfigurableApplicationContext leaving = startInstance();
        ConfigurableApplicationContext staying = startInstance();
        WelcomeEmailWorker leavingWorker = leaving.getBean(WelcomeEmailWorker.class);
        WelcomeEmailWorker stayingWorker = staying.getBean(WelcomeEmailWorker.class);
        Node stayingNode = staying.getBean("pulse.node.email", Node.class);
        // route only once both nodes see both workers, so that no job moves for that reason meanwhile
        await().atMost(Duration.ofSeconds(20)).until(() -> stayingNode.poolWorkers().size() == 2
                && leaving.getBean("pulse.node.email", Node.class).poolWorkers().size() == 2);

        Http http = Http.of(leaving);
        Set<String> jobs = new TreeSet<>();
        for (int i = 0; i < SIGNUPS; i++) {
            Http.Reply reply = http.post("/signups", "{\"user\":\"user-" + i + "\",\"email\":\"u" + i + "@example.com\"}");
            assertThat(reply.status()).isEqualTo(201);
            jobs.add(reply.body().get("job").asText());
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Set<String> all = new HashSet<>(leavingWorker.running());
            all.addAll(stayingWorker.running());
            assertThat(all).isEqualTo(jobs);
        });
        Set<String> handedOver = leavingWorker.running();
        // with 20 keys over two workers, both hold some (all on one would be a 1 in 500,000 draw)
        assertThat(handedOver).isNotEmpty().isNotEqualTo(jobs);
        assertThat(stayingWorker.running()).doesNotContainAnyElementsOf(handedOver);

        ShutdownWitness witness = leaving.getBean(ShutdownWitness.class);
        leaving.close();

        assertThat(witness.nodeClosedAtStop).as("the node left its pool in the lifecycle phase").isTrue();
        assertThat(witness.redisClosedAtStop).as("the connection was still open then").isFalse();
        assertThat(leavingWorker.running()).as("each job was stopped on the leaving instance").isEmpty();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(stayingWorker.running()).isEqualTo(jobs);
            assertThat(new TreeSet<>(stayingNode.jobKeys())).isEqualTo(jobs);
        });
        assertThat(stayingWorker.movedHere()).as("restarted as moved, so no second welcome mail")
                .containsAll(handedOver);
    }
}
