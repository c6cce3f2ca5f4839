package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a node, a worker and a client-only node hold, counted for real: the threads they start, the
 * Redis connections they open (CLIENT LIST) and the replicated maps they join (their update channels,
 * PUBSUB CHANNELS). README's "The budget of a node" gives these figures.
 */
class NodeBudgetTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration LONG = Duration.ofSeconds(20);
    private static final Pattern SUBSCRIPTIONS = Pattern.compile("\\bsub=(\\d+)");

    private static Node.Builder quick(String pool, PulseRedis redis) {
        // keep-alives every half second: the node's threads that start with its first periodic work start soon
        return Node.builder(pool, redis).workerTtl(Duration.ofSeconds(1)).jobSinkBlockDuration(Duration.ofMillis(200));
    }

    @Test
    void aFacadeAFullNodeAWorkerAndAClientOnlyNodeHoldWhatReadmeSays() {
        String pool = RedisServerExtension.uniqueName("budget");
        Snapshot start = Snapshot.now();
        PulseRedis redis = REDIS.newPulseRedis();
        // the facade's two connections; its scheduler's two threads start with the first component's work
        Snapshot facade = settled(start, 2, 0, List.of(), () -> redis.rawCommand(c -> c.ping()).join());

        Node node = quick(pool, redis).join();
        String id = node.id();
        Snapshot full = settled(facade, 2, 12, List.of("pulse-scheduler", "pulse-scheduler-2",
                "pulse-pool-" + pool + "-maintenance", "pulse-pool-" + pool + "-events", "pulse-sink-events",
                "pulse-reader-" + pool + ":node:" + id), null);

        // the node's one read serves the worker's stream too: no connection, no thread of its own
        node.addWorker(new RecordingHandler());
        Snapshot withWorker = settled(full, 0, 0, List.of(), null);

        PulseRedis producerRedis = REDIS.newPulseRedis();
        Node producer = quick(pool, producerRedis).clientOnly().join();
        settled(withWorker, 2 + 1, 3, List.of("pulse-scheduler", "pulse-scheduler-2",
                "pulse-pool-" + pool + "-maintenance", "pulse-pool-" + pool + "-events",
                "pulse-reader-" + pool + ":node:" + producer.id()), null);
        producer.close();
        node.close();
    }

    @Test
    void timeLimitedHandlerCallsShareOneThreadPerWorker() {
        String pool = RedisServerExtension.uniqueName("budget-calls");
        Node node = quick(pool, REDIS.newPulseRedis()).join();
        Set<Thread> stoppers = ConcurrentHashMap.newKeySet();
        Worker worker = node.addWorker(new JobHandler() {
            @Override
            public void start(Job job) {
            }

            @Override
            public void stop(String key) {
                stoppers.add(Thread.currentThread());
            }
        });
        for (int i = 0; i < 3; i++) {
            String key = "job-" + i;
            node.dispatchJob(key, key.getBytes(StandardCharsets.UTF_8));
            node.stopJob(key);
            await().atMost(LONG).until(() -> !worker.jobKeys().contains(key));
        }
        // each stop has a time limit, so it runs off the worker's reading thread: always on the same one
        assertThat(stoppers).hasSize(1);
        assertThat(stoppers.iterator().next().getName()).isEqualTo("pulse-worker-call-" + worker.id());
        // and that thread ends once idle
        await().atMost(LONG).until(() -> !stoppers.iterator().next().isAlive());
        node.close(); // leaves nothing subscribed for the other test to count
    }

    /**
     * Waits until, compared with {@code before}, exactly {@code connections} more clients are connected,
     * {@code channels} more channels subscribed and the pulse threads {@code threads} started, and
     * checks that it stays so for a while.
     */
    private static Snapshot settled(Snapshot before, int connections, int channels, List<String> threads,
            Runnable activity) {
        if (activity != null) {
            activity.run();
        }
        await().atMost(LONG).untilAsserted(() -> before.assertGrownBy(Snapshot.now(), connections, channels, threads));
        await().during(Duration.ofSeconds(1)).atMost(LONG)
                .untilAsserted(() -> before.assertGrownBy(Snapshot.now(), connections, channels, threads));
        return Snapshot.now();
    }

    /** The JVM's live threads, the server's connected clients and their channel subscriptions at one moment. */
    private record Snapshot(Set<Thread> threads, int clients, int subscriptions) {

        static Snapshot now() {
            Set<Thread> live = new HashSet<>();
            Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).forEach(live::add);
            List<String> clients = REDIS.cli().clientList().lines().filter(l -> !l.isBlank()).toList();
            int subscriptions = 0;
            for (String client : clients) {
                Matcher sub = SUBSCRIPTIONS.matcher(client);
                subscriptions += sub.find() ? Integer.parseInt(sub.group(1)) : 0;
            }
            return new Snapshot(live, clients.size(), subscriptions);
        }

        void assertGrownBy(Snapshot later, int connections, int channels, List<String> threadNames) {
            List<String> started = new ArrayList<>();
            for (Thread t : later.threads()) {
                if (!threads.contains(t) && t.getName().startsWith("pulse-")) {
                    started.add(t.getName());
                }
            }
            assertThat(started).as("pulse threads started").containsExactlyInAnyOrderElementsOf(threadNames);
            assertThat(later.clients() - clients).as("connections opened").isEqualTo(connections);
            assertThat(later.subscriptions() - subscriptions).as("channels subscribed (maps joined)")
                    .isEqualTo(channels);
        }
    }
}
