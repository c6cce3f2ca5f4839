package io.pulse.pool;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulse.core.ClosedException;
import io.pulse.core.PulseException;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Dispatching jobs: routing to the worker the hasher names, stops that follow the current owner,
 * client-only nodes, the admission limit, jobs dispatched before any worker exists, and dispatches
 * that time out or are cut short by close.
 */
class PoolDispatchTest extends PoolTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    @Test
    void dispatchWithOneWorkerReturnsOnceTheJobRunsThere() {
        String pool = pool("one-worker");
        Node node = join(pool);
        Recorder handler = new Recorder();
        Worker worker = node.addWorker(handler);

        Instant before = Instant.now();
        node.dispatchJob("job", utf8("test payload"));

        assertThat(worker.jobKeys()).containsExactly("job");
        Job job = handler.running.get("job");
        assertThat(job.payload()).containsExactly(utf8("test payload"));
        assertThat(job.requeued()).isFalse();
        assertThat(job.nodeId()).isEqualTo(node.id());
        assertThat(job.createdAt()).isBetween(before.minusSeconds(1), Instant.now());
        assertThat(node.jobPayload("job")).hasValueSatisfying(p -> assertThat(p).containsExactly(utf8("test payload")));
    }

    @Test
    void dispatchWithTwoWorkersGoesToTheBucketTheHasherNames() {
        String pool = pool("two-workers");
        Node node = join(pool, b -> b.hasher((key, n) -> key.equals("job1") ? 0 : 1));
        Recorder h1 = new Recorder();
        Recorder h2 = new Recorder();
        Worker w1 = node.addWorker(h1);
        Worker w2 = node.addWorker(h2);
        awaitActiveWorkers(2, node);
        assertThat(node.view().activeWorkers()).containsExactly(w1.id(), w2.id());

        node.dispatchJob("job1", utf8("one"));
        node.dispatchJob("job2", utf8("two"));

        assertThat(w1.jobKeys()).containsExactly("job1");
        assertThat(w2.jobKeys()).containsExactly("job2");
        assertThat(h1.startedKeys()).containsExactly("job1");
        assertThat(h2.startedKeys()).containsExactly("job2");
    }

    @Test
    void twoNodeDispatchIsAcknowledgedAndLeavesNoPendingRoutedEvent() {
        String pool = pool("two-node-ack");
        TwoNodes p = twoNodes(pool, b -> b.hasher((key, n) -> n - 1));

        p.first().dispatchJob("job", utf8("payload"));

        assertThat(p.h2().startedKeys()).containsExactly("job");
        assertThat(p.h1().starts).isEmpty();
        eventually().untilAsserted(() -> {
            assertThat(unackedPoolEvents(pool)).isZero();
            assertThat(p.first().router().pendingCount()).isZero();
            assertThat(p.second().router().pendingCount()).isZero();
            assertThat(p.first().waitingDispatches()).isZero();
        });
        assertThat(p.h1().starts).isEmpty();
    }

    @Test
    void stopGoesToTheCurrentOwnerEvenAfterTheHasherPointsElsewhere() {
        String pool = pool("stop-owner");
        AtomicInteger bucket = new AtomicInteger(0);
        // only the router sees the switch: the rebalancing (on the maintenance thread) would otherwise
        // legitimately move the job to worker 2 first, and this test is about routing a stop
        Node node = join(pool, b -> b.hasher((key, n) -> Thread.currentThread().getName().contains("maintenance")
                ? 0 : Math.min(bucket.get(), n - 1)));
        Recorder h1 = new Recorder();
        Recorder h2 = new Recorder();
        Worker w1 = node.addWorker(h1);
        Worker w2 = node.addWorker(h2);
        awaitActiveWorkers(2, node);

        node.dispatchJob("job", utf8("payload"));
        eventually().untilAsserted(() -> {
            assertThat(node.maps().jobs().getValues(w1.id())).containsExactly("job");
            assertThat(node.maps().jobs().getValues(w2.id())).isEmpty();
        });
        bucket.set(1);
        node.stopJob("job");

        eventually().untilAsserted(() -> {
            assertThat(h1.stops).containsExactly("job");
            assertThat(w1.jobKeys()).isEmpty();
            assertThat(node.jobPayload("job")).isEmpty();
            assertThat(node.maps().jobs().getValues(w1.id())).isEmpty();
            assertThat(node.jobKeys()).isEmpty();
        });
        assertThat(h2.stops).isEmpty();
        assertThat(h2.starts).isEmpty();
    }

    @Test
    void clientOnlyNodeDispatchesAndQueriesFromRedisButHostsNoWorkers() {
        String pool = pool("client-only");
        Node full = join(pool);
        Worker worker = full.addWorker(new Recorder());
        Node client = join(pool, Node.Builder::clientOnly);

        assertThatThrownBy(() -> client.addWorker(new Recorder())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(client::shutdown).isInstanceOf(IllegalStateException.class);
        client.dispatchJob("job1", utf8("one"));
        client.dispatchJob("job2", utf8("two"));

        assertThat(client.workers()).isEmpty();
        assertThat(client.poolWorkers()).containsExactly(new WorkerInfo(worker.id(), worker.createdAt()));
        assertThat(client.jobKeys()).containsExactlyInAnyOrder("job1", "job2");
        assertThat(client.jobPayload("job1")).hasValueSatisfying(v -> assertThat(v).containsExactly(utf8("one")));
        assertThat(client.jobPayload("nope")).isEmpty();
        client.stopJob("job1");
        eventually().untilAsserted(() -> assertThat(client.jobKeys()).containsExactly("job2"));

        client.close();

        assertThat(client.isClosed()).isTrue();
        assertThat(client.isShutdown()).isFalse();
        assertThat(REDIS.cli().exists(GoKeys.streamKey(GoKeys.nodeStream(pool, client.id())))).isZero();
        assertThat(REDIS.cli().hexists(GoKeys.mapContent(GoKeys.nodeKeepAliveMap(pool)), client.id())).isFalse();
        assertThatThrownBy(() -> client.dispatchJob("job3", utf8("x"))).isInstanceOf(ClosedException.class);
        client.close();
        full.dispatchJob("job3", utf8("the pool still works"));
        assertThat(worker.jobKeys()).containsExactly("job2", "job3");
    }

    @Test
    void maxQueuedJobsRejectsTheDispatchBeyondTheLimitAtOnce() throws Exception {
        String pool = pool("max-queued");
        Node node = join(pool, b -> b.maxQueuedJobs(3).ackGracePeriod(Duration.ofSeconds(5)));
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            waiting.add(node.dispatchJobAsync("queued-" + i, utf8("q" + i)));
        }
        eventually().untilAsserted(() -> assertThat(REDIS.cli().hkeys(pendingHash(pool)))
                .contains("queued-1", "queued-2", "queued-3"));

        assertThatThrownBy(() -> node.dispatchJob("fourth", utf8("too many"))).isInstanceOf(PoolFullException.class);

        assertThat(waiting).noneMatch(CompletableFuture::isDone);
        assertThat(REDIS.cli().hget(pendingHash(pool), "fourth")).isNull();
        Recorder handler = new Recorder();
        node.addWorker(handler);
        eventually().untilAsserted(() -> assertThat(handler.running).containsOnlyKeys("queued-1", "queued-2",
                "queued-3"));
        eventually().until(() -> REDIS.cli().hkeys(pendingHash(pool)).stream().noneMatch(k -> !k.startsWith("=")));
        node.dispatchJob("fourth", utf8("room again"));
        assertThat(handler.running).containsKey("fourth");
    }

    @Test
    void jobsDispatchedBeforeAnyFullNodeExistsStartOnceOneJoinsWithAWorker() throws Exception {
        String pool = pool("early-dispatch");
        Node client = join(pool, b -> b.clientOnly().ackGracePeriod(Duration.ofSeconds(10)));
        List<CompletableFuture<Void>> dispatches = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            dispatches.add(client.dispatchJobAsync("early-" + i, utf8("e" + i)));
        }
        eventually().until(() -> REDIS.cli().exists(poolStreamKey(pool)) == 1
                && REDIS.cli().xlen(poolStreamKey(pool)) == 3);

        Node full = join(pool);
        Recorder handler = new Recorder();
        full.addWorker(handler);

        eventually().untilAsserted(() -> assertThat(handler.running).containsOnlyKeys("early-1", "early-2", "early-3"));
        for (CompletableFuture<Void> dispatch : dispatches) {
            assertThat(outcome(dispatch)).isNull();
        }
        eventually().until(() -> unackedPoolEvents(pool) == 0);
        assertThat(handler.startsOf("early-1")).isEqualTo(1);
        assertThat(handler.startsOf("early-2")).isEqualTo(1);
        assertThat(handler.startsOf("early-3")).isEqualTo(1);
    }

    @Test
    void closingANodeFailsItsWaitingDispatchesWithClosedException() throws Exception {
        String pool = pool("close-waiting");
        Node node = join(pool, b -> b.ackGracePeriod(Duration.ofSeconds(15)));
        CompletableFuture<Void> waiting = node.dispatchJobAsync("job", utf8("no worker"));
        eventually().until(() -> node.waitingDispatches() == 1);

        node.close();

        assertThat(outcome(waiting)).isInstanceOf(ClosedException.class);
        assertThat(node.waitingDispatches()).isZero();
    }

    @Test
    void aResultArrivingAfterTheDispatchTimedOutDoesNotBreakLaterDispatches() {
        String pool = pool("late-result");
        Node node = join(pool);

        assertThatThrownBy(() -> node.dispatchJob("late", utf8("no worker yet")))
                .isInstanceOf(PulseException.class)
                .isNotInstanceOfAny(JobExistsException.class, JobStartException.class, PoolFullException.class,
                        ClosedException.class);
        eventually().until(() -> node.waitingDispatches() == 0);
        Recorder handler = new Recorder();
        node.addWorker(handler);

        eventually().untilAsserted(() -> assertThat(handler.running).containsKey("late"));
        eventually().until(() -> unackedPoolEvents(pool) == 0);
        node.dispatchJob("next", utf8("after the late result"));
        assertThat(handler.running).containsOnlyKeys("late", "next");
        assertThat(handler.startsOf("late")).isEqualTo(1);
        assertThat(node.waitingDispatches()).isZero();
    }
}
