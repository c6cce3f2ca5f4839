package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseEventListener.RequeueReason;
import io.pulse.core.PulseRedis;
import io.pulse.testing.RecordingEventListener;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The events pool nodes and workers report to the event hook, each once per real occurrence. */
class PoolEventsTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration WORKER_TTL = Duration.ofSeconds(2);
    private static final Duration ACK_GRACE = Duration.ofSeconds(1);
    private static final byte[] PAYLOAD = "{}".getBytes(StandardCharsets.UTF_8);

    /** Runs every job; refuses those whose key starts with {@code fail}. */
    static final class Handler implements JobHandler {
        final Set<String> running = ConcurrentHashMap.newKeySet();

        @Override
        public void start(Job job) {
            if (job.key().startsWith("fail")) {
                throw new IllegalStateException("refused " + job.key());
            }
            running.add(job.key());
        }

        @Override
        public void stop(String key) {
            running.remove(key);
        }
    }

    private static Node node(String pool, RecordingEventListener events) {
        PulseRedis redis = REDIS.track(PulseRedis.builder(REDIS.uri()).eventListener(events).connect());
        return Node.builder(pool, redis).workerTtl(WORKER_TTL).ackGracePeriod(ACK_GRACE)
                .jobSinkBlockDuration(Duration.ofMillis(200)).workerShutdownTtl(Duration.ofSeconds(2)).join();
    }

    @Test
    void aJobsLifeIsReportedOnceAtEachStep() {
        String pool = RedisServerExtension.uniqueName("observed");
        RecordingEventListener events = new RecordingEventListener();
        Node node = node(pool, events);
        Worker worker = node.addWorker(new Handler());
        assertThat(events.count("nodeJoined", pool, node.id())).isEqualTo(1);
        assertThat(events.count("workerAdded", pool, worker.id())).isEqualTo(1);

        node.dispatchJob("job1", PAYLOAD);
        assertThat(events.of("jobDispatched", pool, "job1")).singleElement()
                .satisfies(e -> assertThat(e.arg(2)).isEqualTo(""));
        assertThat(events.count("jobStarted", pool, worker.id(), "job1")).isEqualTo(1);

        assertThatThrownBy(() -> node.dispatchJob("fail1", PAYLOAD)).isInstanceOf(JobStartException.class);
        assertThat(events.of("jobDispatched", pool, "fail1")).singleElement()
                .satisfies(e -> assertThat(e.arg(2)).isEqualTo("JobStartException"));
        assertThat(events.of("jobFailed", pool, worker.id(), "fail1")).singleElement()
                .satisfies(e -> assertThat((String) e.arg(3)).contains("refused fail1"));
        assertThat(events.count("jobStarted", pool, worker.id(), "fail1")).isZero();

        node.stopJob("job1");
        await().atMost(Duration.ofSeconds(10)).until(() -> events.count("jobStopped", pool, worker.id(), "job1") == 1);
        node.close();
        assertThat(events.count("workerRemoved", pool, worker.id())).isEqualTo(1);
        assertThat(events.count("nodeLeft", pool, node.id())).isEqualTo(1);
        assertThat(events.count("jobRequeued")).isZero();
    }

    @Test
    void movedAndHandedBackJobsAreReportedAsRequeuedWithTheirReason() {
        String pool = RedisServerExtension.uniqueName("moved");
        RecordingEventListener first = new RecordingEventListener();
        RecordingEventListener second = new RecordingEventListener();
        Node a = node(pool, first);
        Handler onA = new Handler();
        a.addWorker(onA);
        for (int i = 0; i < 20; i++) {
            a.dispatchJob("job" + i, PAYLOAD);
        }
        Node b = node(pool, second);
        Handler onB = new Handler();
        b.addWorker(onB);
        // the new worker takes the keys that now hash to it: A stops them and puts them back
        await().atMost(Duration.ofSeconds(30)).until(() -> !onB.running.isEmpty()
                && onA.running.size() + onB.running.size() == 20);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> first.count("jobRequeued", pool) == onB.running.size());
        assertThat(first.of("jobRequeued", pool)).allSatisfy(e -> assertThat(e.arg(2)).isEqualTo(RequeueReason.REBALANCE));

        List<String> onBBefore = List.copyOf(onB.running);
        b.close();
        assertThat(second.of("jobRequeued", pool)).hasSize(onBBefore.size())
                .allSatisfy(e -> assertThat(e.arg(2)).isEqualTo(RequeueReason.WORKER_LEFT));
        await().atMost(Duration.ofSeconds(30)).until(() -> onA.running.size() == 20);
    }

    @Test
    void theJobsOfAKilledNodeAreReportedRequeuedAsADeadWorkersByTheNodeThatEvictsIt() throws Exception {
        String pool = RedisServerExtension.uniqueName("evicted");
        RecordingEventListener events = new RecordingEventListener();
        Node survivor = node(pool, events);
        Process victim = WorkerProcesses.start(REDIS.uri(), pool, 1, WORKER_TTL, ACK_GRACE);
        try {
            List<String> victimWorkers = WorkerProcesses.awaitReady(victim);
            assertThat(victimWorkers).hasSize(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> survivor.poolWorkers().size() == 1);
            for (int i = 0; i < 3; i++) {
                survivor.dispatchJob("job" + i, PAYLOAD);
            }
            victim.destroyForcibly().waitFor();
            Handler handler = new Handler();
            survivor.addWorker(handler);
            await().atMost(Duration.ofSeconds(60)).until(() -> handler.running.size() == 3);
            assertThat(events.count("workerEvicted", pool, victimWorkers.get(0))).isEqualTo(1);
            assertThat(events.of("jobRequeued", pool)).hasSize(3)
                    .allSatisfy(e -> assertThat(e.arg(2)).isEqualTo(RequeueReason.DEAD_WORKER));
        } finally {
            victim.destroyForcibly();
        }
    }
}
