package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** No job is lost when nodes leave one after another while their jobs are moving (cascading failures). */
class JobLossTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    static final class Recording implements JobHandler {
        final Set<String> started = ConcurrentHashMap.newKeySet();

        @Override
        public void start(Job job) {
            started.add(job.key());
        }

        @Override
        public void stop(String key) {
        }
    }

    private Node node(String pool) {
        return Node.builder(pool, REDIS.newPulseRedis()).workerTtl(Duration.ofMillis(600))
                .workerShutdownTtl(Duration.ofMillis(500)).jobSinkBlockDuration(Duration.ofMillis(100))
                .ackGracePeriod(Duration.ofMillis(500)).join();
    }

    @Test
    void everyJobEndsOnTheLastNodeWhenTheOtherTwoLeaveInCascade() throws Exception {
        String pool = RedisServerExtension.uniqueName("cascade");
        Node n1 = node(pool);
        Node n2 = node(pool);
        Node n3 = node(pool);
        Recording w1 = new Recording();
        Recording w2 = new Recording();
        Recording w3 = new Recording();
        n1.addWorker(w1);
        n2.addWorker(w2);
        n3.addWorker(w3);
        await().atMost(Duration.ofSeconds(30)).until(() -> n1.view().activeWorkers().size() == 3);
        List<String> keys = new ArrayList<>();
        List<CompletableFuture<Void>> dispatches = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            String key = "job-" + UUID.randomUUID();
            keys.add(key);
            dispatches.add(n1.dispatchJobAsync(key, key.getBytes()));
        }
        CompletableFuture.allOf(dispatches.toArray(new CompletableFuture[0])).get(60, java.util.concurrent.TimeUnit.SECONDS);
        Set<String> everywhere = ConcurrentHashMap.newKeySet();
        everywhere.addAll(w1.started);
        everywhere.addAll(w2.started);
        everywhere.addAll(w3.started);
        assertThat(everywhere).containsExactlyInAnyOrderElementsOf(keys);

        int before2 = w2.started.size();
        CompletableFuture<Void> close1 = CompletableFuture.runAsync(n1::close);
        // as soon as node 2 receives one of node 1's jobs, node 2 leaves too
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> w2.started.size() > before2
                || close1.isDone());
        CompletableFuture<Void> close2 = CompletableFuture.runAsync(n2::close);
        CompletableFuture.allOf(close1, close2).get(60, java.util.concurrent.TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(30)).until(() -> w3.started.containsAll(keys));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(n3.jobKeys()).containsExactlyInAnyOrderElementsOf(keys));
        n3.shutdown();
    }
}
