package io.pulse.pool;

import static io.pulse.pool.PoolTestSupport.fast;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PoolSmokeTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    static final class Recording implements JobHandler {
        final Set<String> running = ConcurrentHashMap.newKeySet();
        final List<String> started = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void start(Job job) {
            if (job.key().startsWith("fail")) {
                throw new IllegalStateException("cannot start " + job.key());
            }
            running.add(job.key());
            started.add(job.key());
        }

        @Override
        public void stop(String key) {
            running.remove(key);
        }
    }

    @Test
    void dispatchStartsAJobOnAWorkerAndStopStopsIt() {
        String pool = RedisServerExtension.uniqueName("smoke");
        Node node = fast(pool, REDIS.newPulseRedis()).join();
        Recording handler = new Recording();
        node.addWorker(handler);
        Node producer = fast(pool, REDIS.newPulseRedis()).clientOnly().join();
        producer.dispatchJob("job1", "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(handler.running).containsExactly("job1");
        assertThat(producer.jobPayload("job1")).hasValueSatisfying(p -> assertThat(new String(p)).isEqualTo("hello"));
        assertThatThrownBy(() -> producer.dispatchJob("job1", new byte[0])).isInstanceOf(JobExistsException.class);
        assertThatThrownBy(() -> producer.dispatchJob("fail1", new byte[0])).isInstanceOf(JobStartException.class)
                .hasMessageContaining("cannot start fail1");
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.jobKeys().equals(List.of("job1")));
        producer.stopJob("job1");
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.running.isEmpty());
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.jobPayload("job1").isEmpty());
        producer.close();
        node.close();
        assertThat(node.isClosed()).isTrue();
    }
}
