package io.pulse.pool;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.rmap.ReplicatedMap;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cleaning after stale nodes and workers (the Go suite's failure scenarios and weaknesses P5-P7): stale
 * node streams and workers go, their jobs run elsewhere once, and new workers are never evicted early.
 */
class PoolStaleCleanupTest extends PoolTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    @Test
    void staleNodeStreamIsDeletedByAnotherNodeAndRecreatedByItsLiveNode() throws Exception {
        String pool = pool("stale-node");
        Node a = join(pool);
        Node b = join(pool);
        Handler ha = new Handler();
        Handler hb = new Handler();
        a.addWorker(ha);
        b.addWorker(hb);
        awaitActiveWorkers(2, a, b);
        a.dispatchJob("job-a", utf8("a"));
        b.dispatchJob("job-b", utf8("b"));
        String streamA = nodeStreamKey(pool, a.id());
        String streamB = nodeStreamKey(pool, b.id());
        assertThat(REDIS.cli().exists(streamA, streamB)).isEqualTo(2);

        CountDownLatch frozen = freezeMaintenance(b);
        try (ReplicatedMap nodeKeepAlives = poolMap(GoKeys.nodeKeepAliveMap(pool))) {
            nodeKeepAlives.set(b.id(), Long.toString(PoolClock.nowNanos() - 3 * TTL.toNanos()));
        }
        long staleAt = System.nanoTime();
        eventually().untilAsserted(() -> {
            assertThat(REDIS.cli().exists(streamB)).as("stream of the stale node").isZero();
            assertThat(a.maps().nodeKeepAlives().get(b.id())).isEmpty();
        });
        long deletedMs = millisSince(staleAt);
        assertThat(REDIS.cli().exists(streamA)).as("stream of the live node").isOne();
        assertThat(a.maps().nodeKeepAlives().get(a.id())).isPresent();

        long thawed = System.nanoTime();
        frozen.countDown();
        eventually().untilAsserted(() -> {
            assertThat(REDIS.cli().exists(streamB)).as("recreated stream").isOne();
            assertThat(a.maps().nodeKeepAlives().get(b.id())).isPresent();
        });
        long recreatedMs = millisSince(thawed);
        b.dispatchJob("after-recreation", utf8("result must reach b"));
        assertThat(ha.running.containsKey("after-recreation") || hb.running.containsKey("after-recreation")).isTrue();
        System.out.printf("[stale-node] stale node stream deleted %d ms after its keep-alive went stale; recreated "
                + "%d ms after the node resumed%n", deletedMs, recreatedMs);
    }

    @Test
    void staleWorkerHasItsJobsRequeuedToANewWorkerAndLeavesTheWorkersKeepAliveAndJobsMaps() throws Exception {
        String pool = pool("stale-worker");
        Node a = join(pool);
        Node b = join(pool);
        Handler h1 = new Handler();
        Worker w1 = a.addWorker(h1);
        awaitActiveWorkers(1, a, b);
        List<String> keys = List.of("job1", "job2", "job3");
        for (String key : keys) {
            a.dispatchJob(key, utf8("payload of " + key));
        }
        assertThat(w1.jobKeys()).containsExactlyElementsOf(keys);

        long stopped = System.nanoTime();
        w1.retire();
        try (ReplicatedMap keepAlives = poolMap(GoKeys.workerKeepAliveMap(pool))) {
            keepAlives.set(w1.id(), Long.toString(PoolClock.nowNanos() - 2 * TTL.toNanos()));
        }
        Handler h2 = new Handler();
        Worker w2 = b.addWorker(h2);

        eventually().untilAsserted(() -> {
            assertThat(h2.running).containsOnlyKeys(keys.toArray(new String[0]));
            for (Node node : List.of(a, b)) {
                assertThat(node.maps().workers().get(w1.id())).isEmpty();
                assertThat(node.maps().workerKeepAlives().get(w1.id())).isEmpty();
                assertThat(node.maps().jobs().get(w1.id())).isEmpty();
            }
        });
        long recoveredMs = millisSince(stopped);
        System.out.printf("[stale-worker] 3 jobs of a stale worker running on the new worker and the stale worker "
                + "gone from the maps %d ms after its keep-alive stopped%n", recoveredMs);
        assertThat(h2.running.values()).allSatisfy(job -> {
            assertThat(job.requeued()).isTrue();
            assertThat(job.payload()).containsExactly(utf8("payload of " + job.key()));
        });
        assertThat(inRedisMap(GoKeys.workersMap(pool), w1.id())).isFalse();
        assertThat(inRedisMap(GoKeys.workerKeepAliveMap(pool), w1.id())).isFalse();
        assertThat(inRedisMap(GoKeys.jobsMap(pool), w1.id())).isFalse();
        assertThat(REDIS.cli().exists(workerStreamKey(w1.id()))).isZero();
        eventually().untilAsserted(() -> {
            assertThat(a.view().activeWorkers()).containsExactly(w2.id());
            assertThat(b.maps().jobs().getValues(w2.id())).containsExactlyInAnyOrderElementsOf(keys);
        });
        assertThat(w2.jobKeys()).containsExactlyElementsOf(keys);
    }

    @Test
    void removingAWorkerFromTheMapsKeepsItsJobPayloads() {
        String pool = pool("remove-from-maps");
        Node node = join(pool);
        Handler handler = new Handler();
        Worker worker = node.addWorker(handler);
        byte[] p1 = {1, 2, 3, (byte) 0xff};
        byte[] p2 = utf8("second payload");
        node.dispatchJob("job1", p1);
        node.dispatchJob("job2", p2);

        node.departures().deleteEntries(worker.id());

        assertThat(inRedisMap(GoKeys.workersMap(pool), worker.id())).isFalse();
        assertThat(inRedisMap(GoKeys.jobsMap(pool), worker.id())).isFalse();
        assertThat(node.jobPayload("job1")).hasValueSatisfying(v -> assertThat(v).containsExactly(p1));
        assertThat(node.jobPayload("job2")).hasValueSatisfying(v -> assertThat(v).containsExactly(p2));
        // the node then stops its worker (removed elsewhere, as far as it can tell): still no payload goes
        eventually().untilAsserted(() -> {
            assertThat(worker.isStopped()).isTrue();
            assertThat(handler.stops).containsExactlyInAnyOrder("job1", "job2");
        });
        assertThat(node.jobPayload("job1")).hasValueSatisfying(v -> assertThat(v).containsExactly(p1));
        assertThat(node.jobPayload("job2")).hasValueSatisfying(v -> assertThat(v).containsExactly(p2));
    }

    @Test
    void staleWorkersOfAnotherNodeAreCleanedAndOnlyTheActiveWorkerRemains() {
        String pool = pool("stale-across-nodes");
        Node a = join(pool);
        Node b = join(pool);
        Worker active = a.addWorker(new Handler());
        List<Worker> stale = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            stale.add(b.addWorker(new Handler()));
        }
        awaitActiveWorkers(6, a, b);

        long stoppedAt = System.nanoTime();
        stale.forEach(Worker::retire);
        try (ReplicatedMap keepAlives = poolMap(GoKeys.workerKeepAliveMap(pool))) {
            for (Worker w : stale) {
                keepAlives.set(w.id(), Long.toString(PoolClock.nowNanos() - 2 * TTL.toNanos()));
            }
        }

        eventually().untilAsserted(() -> {
            assertThat(a.view().activeWorkers()).containsExactly(active.id());
            assertThat(b.view().activeWorkers()).containsExactly(active.id());
            for (Worker w : stale) {
                assertThat(inRedisMap(GoKeys.workersMap(pool), w.id())).as("stale worker %s", w.id()).isFalse();
                assertThat(inRedisMap(GoKeys.workerKeepAliveMap(pool), w.id())).isFalse();
                assertThat(b.maps().workers().get(w.id())).isEmpty();
            }
        });
        System.out.printf("[stale-across-nodes] 5 stale workers of another node removed %d ms after they stopped%n",
                millisSince(stoppedAt));
        assertThat(a.poolWorkers()).extracting(WorkerInfo::id).containsExactly(active.id());
    }

    /** P5: a worker is registered only once its keep-alive is written, so no sweep can take it for dead. */
    @Test
    void brandNewWorkersAreNeverEvictedBeforeTheirFirstKeepAlive() throws Exception {
        String pool = pool("new-worker");
        Duration shortTtl = Duration.ofSeconds(1);
        Node sweeper = join(pool, o -> o.workerTtl(shortTtl));
        Node host = join(pool, o -> o.workerTtl(shortTtl));
        AtomicBoolean sweeping = new AtomicBoolean(true);
        AtomicInteger extraSweeps = new AtomicInteger();
        // besides its own sweep every 500 ms, the sweeper node sweeps as fast as it can from here
        Future<?> hammer = THREADS.submit(() -> {
            while (sweeping.get()) {
                sweeper.maintenance().removeDeadWorkers();
                extraSweeps.incrementAndGet();
                Thread.sleep(1);
            }
            return null;
        });
        undo.add(() -> sweeping.set(false));
        List<Worker> added = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            added.add(host.addWorker(new Handler()));
        }
        Set<String> ids = added.stream().map(Worker::id).collect(Collectors.toSet());

        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> {
                    assertThat(added).noneMatch(Worker::isStopped);
                    assertThat(REDIS.cli().hkeys(GoKeys.mapContent(GoKeys.workersMap(pool)))).containsAll(ids);
                });
        sweeping.set(false);
        hammer.get(30, TimeUnit.SECONDS);
        eventually().untilAsserted(() -> assertThat(sweeper.view().activeWorkers()).containsExactlyInAnyOrderElementsOf(ids));
        System.out.printf("[new-worker] 10 workers added during %d extra sweeps plus the periodic ones; none evicted%n",
                extraSweeps.get());
        assertThat(extraSweeps.get()).isPositive();
    }

    /** P6: a local worker another node removed stops every job it runs; the jobs run elsewhere, once. */
    @Test
    void aLocalWorkerEvictedByAnotherNodeStopsEachOfItsJobsAndTheyRunElsewhereOnce() {
        String pool = pool("evicted");
        Node a = join(pool, o -> o.hasher((k, n) -> 0));
        Node b = join(pool, o -> o.hasher((k, n) -> 0));
        Ledger ledger = new Ledger();
        Handler h1 = new Handler(ledger);
        Worker w1 = a.addWorker(h1);
        Handler h2 = new Handler(ledger);
        Worker w2 = b.addWorker(h2);
        awaitBuckets(List.of(w1.id(), w2.id()), a, b);
        List<String> keys = List.of("evict-1", "evict-2", "evict-3");
        for (String key : keys) {
            b.dispatchJob(key, utf8("payload of " + key));
        }
        assertThat(h1.running).containsOnlyKeys(keys.toArray(new String[0]));

        long evictedAt = System.nanoTime();
        try (ReplicatedMap workers = poolMap(GoKeys.workersMap(pool));
                ReplicatedMap keepAlives = poolMap(GoKeys.workerKeepAliveMap(pool))) {
            workers.delete(w1.id());
            keepAlives.delete(w1.id());
        }

        eventually().untilAsserted(() -> {
            assertThat(h1.stops).containsExactlyInAnyOrderElementsOf(keys);
            assertThat(h1.running).isEmpty();
            assertThat(w1.isStopped()).isTrue();
        });
        long stoppedMs = millisSince(evictedAt);
        eventually().untilAsserted(() -> assertThat(h2.running).containsOnlyKeys(keys.toArray(new String[0])));
        long elsewhereMs = millisSince(evictedAt);
        System.out.printf("[evicted] evicted worker's jobs stopped %d ms and running elsewhere %d ms after the "
                + "eviction; %d ran on both workers for a moment%n", stoppedMs, elsewhereMs, ledger.overlapped.size());
        for (String key : keys) {
            assertThat(h2.startsOf(key)).as("starts of %s on the other worker", key).isEqualTo(1);
            assertThat(h2.running.get(key).requeued()).isTrue();
            assertThat(h2.running.get(key).payload()).containsExactly(utf8("payload of " + key));
            assertThat(ledger.executing.get(key)).as("handlers running %s", key).containsExactly(h2);
        }
        assertThat(a.workers()).extracting(WorkerInfo::id).doesNotContain(w1.id());
    }
}
