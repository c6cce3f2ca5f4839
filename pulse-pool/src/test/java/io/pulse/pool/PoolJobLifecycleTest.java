package io.pulse.pool;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulse.core.ClosedException;
import io.pulse.core.PulseException;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.rmap.internal.StateMaps;
import io.pulse.streaming.Stream;
import io.pulse.testing.GoKeys;
import io.pulse.testing.LogCapture;
import io.pulse.testing.RedisServerExtension;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job's life on a worker: notifications, removal of its worker, its node closing, pool shutdown and
 * rejoining, and duplicate, malformed or failing start events.
 */
class PoolJobLifecycleTest extends PoolTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    @Test
    void notifyWorkerDeliversKeyAndPayloadToTheJobsHandler() {
        String pool = pool("notify");
        Node node = join(pool);
        Notified handler = new Notified();
        node.addWorker(handler);
        node.dispatchJob("test-job", utf8("start"));
        byte[] binary = {0, (byte) 0xff, (byte) 0xc3, 0x28};

        node.notifyWorker("test-job", utf8("test notification"));
        node.notifyWorker("test-job", binary);

        eventually().untilAsserted(() -> assertThat(handler.notifications).hasSize(2));
        assertThat(handler.notifications.get(0).getKey()).isEqualTo("test-job");
        assertThat(handler.notifications.get(0).getValue()).containsExactly(utf8("test notification"));
        assertThat(handler.notifications.get(1).getKey()).isEqualTo("test-job");
        assertThat(handler.notifications.get(1).getValue()).containsExactly(binary);
        assertThat(handler.running).containsOnlyKeys("test-job");
    }

    @Test
    void notifyingAHandlerWithoutNotificationSupportLeavesTheJobRunning() {
        String pool = pool("notify-no-handler");
        Node node = join(pool);
        Recorder handler = new Recorder();
        Worker worker = node.addWorker(handler);
        node.dispatchJob("test-job", utf8("start"));
        LogCapture log = LogCapture.install();
        try {
            node.notifyWorker("test-job", utf8("ignored"));
            // the barrier job is routed after the notification through the same sink and worker stream
            node.dispatchJob("barrier", utf8("after the notification"));

            eventually().until(() -> unackedPoolEvents(pool) == 0);
            eventually().until(() -> log.text().contains(
                    "worker does not implement NotificationHandler, ignoring notification"));
        } finally {
            log.close();
        }
        assertThat(worker.jobKeys()).containsExactly("barrier", "test-job");
        assertThat(handler.stops).isEmpty();
        assertThat(handler.startsOf("test-job")).isEqualTo(1);
        assertThat(node.jobPayload("test-job")).isPresent();
    }

    @Test
    void removeWorkerMovesItsJobToTheRemainingWorkerAsRequeued() {
        String pool = pool("remove-worker");
        Node node = join(pool, b -> b.hasher((key, n) -> 0));
        Recorder h1 = new Recorder();
        Recorder h2 = new Recorder();
        Worker w1 = node.addWorker(h1);
        Worker w2 = node.addWorker(h2);
        awaitActiveWorkers(2, node);
        byte[] payload = {1, 2, 3, (byte) 0xff};
        node.dispatchJob("job", payload);
        assertThat(w1.jobKeys()).containsExactly("job");

        node.removeWorker(w1);

        assertThat(h1.stops).containsExactly("job");
        assertThat(w1.isStopped()).isTrue();
        assertThat(w1.jobKeys()).isEmpty();
        assertThat(node.workers()).extracting(WorkerInfo::id).containsExactly(w2.id());
        eventually().untilAsserted(() -> assertThat(h2.running).containsKey("job"));
        Job moved = h2.running.get("job");
        assertThat(moved.requeued()).isTrue();
        assertThat(moved.payload()).containsExactly(payload);
        assertThat(moved.nodeId()).isEqualTo(node.id());
        assertThat(h1.startsOf("job")).isEqualTo(1);
        assertThat(h2.startsOf("job")).isEqualTo(1);
        eventually().untilAsserted(() -> {
            assertThat(node.poolWorkers()).extracting(WorkerInfo::id).containsExactly(w2.id());
            assertThat(node.jobKeys()).containsExactly("job");
            assertThat(node.maps().jobs().getValues(w2.id())).containsExactly("job");
        });
        assertThat(node.jobPayload("job")).hasValueSatisfying(v -> assertThat(v).containsExactly(payload));
    }

    @Test
    void removingTheOnlyWorkerKeepsItsJobUntilAnotherWorkerJoins() {
        String pool = pool("remove-last-worker");
        Node node = join(pool);
        Recorder first = new Recorder();
        Worker only = node.addWorker(first);
        node.dispatchJob("job", utf8("kept"));

        node.removeWorker(only);

        assertThat(first.stops).containsExactly("job");
        assertThat(node.workers()).isEmpty();
        assertThat(node.jobPayload("job")).as("payload kept for the next worker").isPresent();
        assertThatThrownBy(() -> node.dispatchJob("job", utf8("again"))).isInstanceOf(JobExistsException.class);
        Recorder second = new Recorder();
        Worker next = node.addWorker(second);
        eventually().untilAsserted(() -> assertThat(second.running).containsKey("job"));
        assertThat(second.running.get("job").requeued()).isTrue();
        assertThat(second.running.get("job").payload()).containsExactly(utf8("kept"));
        eventually().untilAsserted(() -> assertThat(node.jobKeys()).containsExactly("job"));
        assertThat(next.jobKeys()).containsExactly("job");
    }

    @Test
    void closingANodeRequeuesItsJobToAnotherNodesWorker() {
        String pool = pool("close-requeue");
        TwoNodes p = twoNodes(pool, b -> b.hasher((key, n) -> 0));
        p.first().dispatchJob("job", utf8("payload"));
        assertThat(p.w1().jobKeys()).containsExactly("job");

        p.first().close();

        assertThat(p.first().isClosed()).isTrue();
        assertThat(p.first().isShutdown()).isFalse();
        assertThat(p.h1().stops).containsExactly("job");
        assertThat(p.w1().jobKeys()).isEmpty();
        eventually().untilAsserted(() -> assertThat(p.h2().running).containsKey("job"));
        assertThat(p.h2().running.get("job").requeued()).isTrue();
        assertThat(p.h2().running.get("job").payload()).containsExactly(utf8("payload"));
        eventually().untilAsserted(() -> assertThat(p.second().jobKeys()).containsExactly("job"));
        assertThatThrownBy(() -> p.first().dispatchJob("other", utf8("x"))).isInstanceOf(ClosedException.class);
        assertThatThrownBy(() -> p.first().addWorker(new Recorder())).isInstanceOf(ClosedException.class);
        assertThatThrownBy(() -> p.first().stopJob("job")).isInstanceOf(ClosedException.class);
        assertThatThrownBy(() -> p.first().notifyWorker("job", utf8("x"))).isInstanceOf(ClosedException.class);
        p.first().shutdown();
        assertThat(p.second().isShutdown()).isFalse();
    }

    @Test
    void shutdownStopsEveryJobOnEveryNodeAndLeavesOnlyTombstones() {
        String pool = pool("shutdown");
        KeyHasher byNumber = (key, n) -> Integer.parseInt(key.substring(key.indexOf('-') + 1)) % n;
        Node a = join(pool, b -> b.hasher(byNumber));
        Node b = join(pool, o -> o.hasher(byNumber));
        Recorder h1 = new Recorder();
        Recorder h2 = new Recorder();
        Recorder h3 = new Recorder();
        Worker w1 = a.addWorker(h1);
        Worker w2 = a.addWorker(h2);
        Worker w3 = b.addWorker(h3);
        awaitActiveWorkers(3, a, b);
        List<String> keys = List.of("job-0", "job-1", "job-2", "job-3", "job-4", "job-5");
        for (String key : keys) {
            a.dispatchJob(key, utf8(key));
        }
        assertThat(h1.running).containsOnlyKeys("job-0", "job-3");
        assertThat(h2.running).containsOnlyKeys("job-1", "job-4");
        assertThat(h3.running).containsOnlyKeys("job-2", "job-5");

        a.shutdown();

        assertThat(a.isShutdown()).isTrue();
        assertThat(a.isClosed()).isTrue();
        eventually().untilAsserted(() -> {
            assertThat(b.isShutdown()).isTrue();
            assertThat(b.isClosed()).isTrue();
        });
        assertThat(h1.stops).containsExactlyInAnyOrder("job-0", "job-3");
        assertThat(h2.stops).containsExactlyInAnyOrder("job-1", "job-4");
        assertThat(h3.stops).containsExactlyInAnyOrder("job-2", "job-5");
        assertThat(w1.jobKeys()).isEmpty();
        assertThat(w2.jobKeys()).isEmpty();
        assertThat(w3.jobKeys()).isEmpty();
        assertThat(h1.starts.size() + h2.starts.size() + h3.starts.size()).as("no job was requeued").isEqualTo(6);
        eventually().untilAsserted(() -> assertOnlyTombstonesRemain(pool));
        for (Worker w : List.of(w1, w2, w3)) {
            assertThat(REDIS.cli().exists(GoKeys.streamKey(GoKeys.workerStream(w.id())))).isZero();
        }
    }

    private static void assertOnlyTombstonesRemain(String pool) {
        List<String> keys = REDIS.cli().keys("*" + pool + ":*");
        for (String key : keys) {
            assertThat(REDIS.cli().type(key)).as("type of %s", key).isEqualTo("hash");
            assertThat(REDIS.cli().hkeys(key)).as("fields of %s", key).isSubsetOf("=rev", "=kind");
        }
    }

    @Test
    void aShutDownPoolCanBeJoinedAgainAndRunsJobs() {
        String pool = pool("shutdown-rejoin");
        Node first = join(pool);
        first.addWorker(new Recorder());
        first.dispatchJob("job", utf8("before"));
        first.shutdown();
        assertThat(first.isShutdown()).isTrue();

        Node again = join(pool);
        Recorder handler = new Recorder();
        again.addWorker(handler);
        again.dispatchJob("job", utf8("after"));

        assertThat(handler.running.get("job").payload()).containsExactly(utf8("after"));
        assertThat(again.isShutdown()).isFalse();
    }

    @Test
    void joiningAPoolThatIsShuttingDownFails() {
        String pool = pool("shutting-down");
        try (ReplicatedMap shutdown = StateMaps.join(GoKeys.shutdownMap(pool), newRedis())) {
            shutdown.set(PoolCodec.SHUTDOWN_KEY, "some-node");
        }

        assertThatThrownBy(() -> join(pool)).isInstanceOf(PulseException.class).hasMessageContaining("shutting down");
        assertThatThrownBy(() -> join(pool, Node.Builder::clientOnly)).isInstanceOf(PulseException.class)
                .hasMessageContaining("shutting down");
        assertThat(REDIS.cli().hkeys(GoKeys.mapContent(GoKeys.workersMap(pool)))).isEmpty();
    }

    @Test
    void duplicateStartEventForARunningJobDoesNotCallStartTwice() {
        String pool = pool("duplicate-start");
        Node node = join(pool);
        Recorder handler = new Recorder();
        Worker worker = node.addWorker(handler);
        node.dispatchJob("job", utf8("payload"));
        Stream poolStream = Stream.builder(GoKeys.poolStream(pool), newRedis()).maxLen(0).open();

        poolStream.add("j", PoolCodec.job(new Job("job", utf8("payload"), Instant.now(), node.id(), false)));
        poolStream.add("j", PoolCodec.job(new Job("job", utf8("payload"), Instant.now(), node.id(), true)));
        node.dispatchJob("barrier", utf8("after the duplicates"));

        eventually().until(() -> unackedPoolEvents(pool) == 0);
        assertThat(handler.startsOf("job")).isEqualTo(1);
        assertThat(handler.stops).isEmpty();
        assertThat(worker.jobKeys()).containsExactly("barrier", "job");
        assertThat(node.maps().jobs().getValues(worker.id())).containsExactlyInAnyOrder("barrier", "job");
    }

    @Test
    void malformedPoolStreamRecordsAreSkippedAndLaterDispatchesStillWork() {
        String pool = pool("malformed");
        Node node = join(pool);
        Recorder handler = new Recorder();
        node.addWorker(handler);
        node.dispatchJob("before", utf8("x"));

        REDIS.cli().xadd(poolStreamKey(pool), Map.of("n", "j", "p", "garbage"));
        REDIS.cli().xadd(poolStreamKey(pool), Map.of("n", "j", "p", "\u0001\u0000\u0000\u0000kx"));
        REDIS.cli().xadd(poolStreamKey(pool), Map.of("n", "j", "p", ""));
        REDIS.cli().xadd(poolStreamKey(pool), Map.of("n", "?", "p", "\u0001\u0000\u0000\u0000k"));
        node.dispatchJob("after", utf8("y"));

        assertThat(handler.running).containsOnlyKeys("before", "after");
        eventually().until(() -> unackedPoolEvents(pool) == 0);
        assertThat(handler.startedKeys()).containsExactly("before", "after");
        node.dispatchJob("later", utf8("z"));
        assertThat(handler.running).containsOnlyKeys("before", "after", "later");
    }

    @Test
    void startFailureSurfacesAsJobStartExceptionAndTheWorkerKeepsWorking() {
        String pool = pool("start-failure");
        Node node = join(pool);
        Recorder handler = new Recorder();
        handler.refuse = key -> key.startsWith("fail");
        Worker worker = node.addWorker(handler);

        assertThatThrownBy(() -> node.dispatchJob("fail-1", utf8("x"))).isInstanceOf(JobStartException.class)
                .hasMessageContaining("refusing to start fail-1");

        eventually().untilAsserted(() -> {
            assertThat(node.jobPayload("fail-1")).isEmpty();
            assertThat(node.maps().jobs().getValues(worker.id())).isEmpty();
        });
        assertThat(worker.jobKeys()).isEmpty();
        node.dispatchJob("ok-1", utf8("fine"));
        assertThat(worker.jobKeys()).containsExactly("ok-1");
        assertThatThrownBy(() -> node.dispatchJob("fail-1", utf8("again"))).isInstanceOf(JobStartException.class)
                .hasMessageContaining("refusing to start fail-1");
        assertThat(handler.startsOf("fail-1")).isEqualTo(2);
    }
}
