package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseRedis;
import io.pulse.core.internal.Futures;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Routing at volume: three full nodes with two workers each, each node with a Redis connection of its
 * own as if in its own process, and a client-only node dispatching 1,000 distinct keys. Every job must
 * start exactly once, on the worker Go's jump hash names for it, and every node must list them all.
 */
class PoolScaleTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final int JOBS = 1000;
    private static final int IN_FLIGHT = 64;

    private final List<Node> nodes = new CopyOnWriteArrayList<>();

    /** Counts the starts of each key on one worker. */
    static final class CountingHandler implements JobHandler {
        final Map<String, AtomicInteger> starts = new ConcurrentHashMap<>();
        final Set<String> running = ConcurrentHashMap.newKeySet();
        final AtomicInteger stops = new AtomicInteger();

        @Override
        public void start(Job job) {
            starts.computeIfAbsent(job.key(), k -> new AtomicInteger()).incrementAndGet();
            running.add(job.key());
        }

        @Override
        public void stop(String key) {
            stops.incrementAndGet();
            running.remove(key);
        }
    }

    @AfterEach
    void closeNodes() {
        for (Node node : nodes) {
            node.close();
        }
    }

    /**
     * Timings are those of the other pool tests except for the worker TTL and ack grace period, which
     * are longer so that a busy 2-core machine cannot make a live worker look dead (which would change
     * the bucket list) or a slow start look lost (which would route it a second time).
     */
    private Node join(String pool, boolean clientOnly) {
        PulseRedis redis = REDIS.newPulseRedis();
        Node.Builder builder = Node.builder(pool, redis).workerTtl(Duration.ofSeconds(10))
                .ackGracePeriod(Duration.ofSeconds(10)).jobSinkBlockDuration(Duration.ofMillis(200))
                .workerShutdownTtl(Duration.ofSeconds(5));
        Node node = (clientOnly ? builder.clientOnly() : builder).join();
        nodes.add(node);
        return node;
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void thousandJobsFromAClientStartOnceEachOnTheWorkerTheJumpHashNames() throws Exception {
        String pool = RedisServerExtension.uniqueName("scale");
        List<Node> full = List.of(join(pool, false), join(pool, false), join(pool, false));
        Map<String, CountingHandler> handlers = new LinkedHashMap<>();
        List<Worker> workers = new ArrayList<>();
        for (Node node : full) {
            for (int i = 0; i < 2; i++) {
                CountingHandler handler = new CountingHandler();
                Worker worker = node.addWorker(handler);
                workers.add(worker);
                handlers.put(worker.id(), handler);
            }
        }
        Node client = join(pool, true);
        List<String> buckets = workers.stream()
                .sorted(Comparator.comparing(Worker::createdAt).thenComparing(Worker::id))
                .map(Worker::id).collect(Collectors.toList());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            for (Node node : full) {
                assertThat(node.view().activeWorkers()).as("bucket list of %s", node).containsExactlyElementsOf(buckets);
            }
        });
        List<String> keys = IntStream.range(0, JOBS).mapToObj(i -> "job-" + i).collect(Collectors.toList());

        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        Map<String, CompletableFuture<Void>> dispatches = new LinkedHashMap<>();
        for (String key : keys) {
            inFlight.acquire();
            CompletableFuture<Void> dispatch = client.dispatchJobAsync(key, key.getBytes(StandardCharsets.UTF_8));
            dispatch.whenComplete((v, e) -> inFlight.release());
            dispatches.put(key, dispatch);
        }
        Map<String, Throwable> failures = new HashMap<>();
        for (Map.Entry<String, CompletableFuture<Void>> d : dispatches.entrySet()) {
            Throwable failure = d.getValue().handle((v, e) -> e == null ? null : Futures.unwrap(e))
                    .get(60, TimeUnit.SECONDS);
            if (failure != null) {
                failures.put(d.getKey(), failure);
            }
        }

        assertThat(failures).as("failed dispatches").isEmpty();
        Map<String, String> misrouted = new HashMap<>();
        Map<String, Integer> startCounts = new HashMap<>();
        for (String key : keys) {
            String expected = buckets.get(JumpHash.bucket(key, buckets.size()));
            for (Map.Entry<String, CountingHandler> h : handlers.entrySet()) {
                AtomicInteger count = h.getValue().starts.get(key);
                if (count == null) {
                    continue;
                }
                startCounts.merge(key, count.get(), Integer::sum);
                if (!h.getKey().equals(expected)) {
                    misrouted.put(key, h.getKey() + " instead of " + expected);
                }
            }
        }
        assertThat(misrouted).as("jobs started on another worker than the jump hash names").isEmpty();
        assertThat(startCounts).as("starts per key").hasSize(JOBS);
        assertThat(startCounts.values()).as("starts per key").containsOnly(1);
        assertThat(handlers.values()).as("every worker got some jobs").allSatisfy(h -> assertThat(h.starts).isNotEmpty());
        for (Worker worker : workers) {
            assertThat(worker.jobKeys()).containsExactlyInAnyOrderElementsOf(handlers.get(worker.id()).running);
        }

        List<Node> everyNode = new ArrayList<>(full);
        everyNode.add(client);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            for (Node node : everyNode) {
                assertThat(node.jobKeys()).as("job keys seen by %s", node).containsExactlyInAnyOrderElementsOf(keys);
            }
        });
        assertThat(handlers.values()).allSatisfy(h -> assertThat(h.starts.values()).allMatch(c -> c.get() == 1));
        assertThat(handlers.values()).allSatisfy(h -> assertThat(h.stops).hasValue(0));

        full.get(0).shutdown();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> full.stream().allMatch(Node::isShutdown));
        assertThat(handlers.values().stream().mapToInt(h -> h.stops.get()).sum()).isEqualTo(JOBS);
    }
}
