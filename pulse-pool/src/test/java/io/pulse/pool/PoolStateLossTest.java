package io.pulse.pool;

import static io.pulse.testing.Eventually.eventually;
import static io.pulse.pool.PoolFixture.millisSince;
import static io.pulse.pool.PoolFixture.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulse.core.internal.Futures;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A running pool follows a Redis that lost all its data (restarted without persistence, FLUSHALL):
 * nodes register their workers, keep-alives, streams and running jobs again, jobs dispatched
 * afterwards start, and a worker another node removed on purpose is still evicted.
 */
class PoolStateLossTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration TTL = Duration.ofSeconds(2);
    private static final Duration ACK_GRACE = Duration.ofSeconds(1);
    /** Jobs dispatched after the loss must start within the worker TTL plus the dead-worker sweep period. */
    private static final Duration START_BOUND = TTL.plus(TTL.dividedBy(2));

    private final PoolFixture fixture = new PoolFixture(REDIS, b -> b.workerTtl(TTL).ackGracePeriod(ACK_GRACE)
            .jobSinkBlockDuration(Duration.ofMillis(200)).workerShutdownTtl(Duration.ofSeconds(2)));

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void afterRedisRestartsEmptyEveryNodeRegistersItsWorkersAgainAndNewJobsStartPromptly() throws Exception {
        String pool = RedisServerExtension.uniqueName("empty-restart");
        Node a = fixture.join(pool);
        Node b = fixture.join(pool);
        Node producer = fixture.join(pool, Node.Builder::clientOnly);
        RecordingHandler.Runs runs = new RecordingHandler.Runs();
        Map<String, RecordingHandler> byWorker = new ConcurrentHashMap<>();
        for (Node node : List.of(a, b)) {
            for (int i = 0; i < 2; i++) {
                RecordingHandler h = new RecordingHandler(runs);
                byWorker.put(node.addWorker(h).id(), h);
            }
        }
        eventually(Duration.ofSeconds(30)).until(() -> a.view().activeWorkers().size() == 4 && b.view().activeWorkers().size() == 4);
        for (int i = 0; i < 40; i++) {
            producer.dispatchJob("before-" + i, utf8("before-" + i));
        }

        // a producer keeps dispatching through the outage
        Map<String, Long> dispatchedAt = new ConcurrentHashMap<>();
        Map<String, Throwable> failed = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> dispatches = new CopyOnWriteArrayList<>();
        AtomicBoolean flowing = new AtomicBoolean(true);
        Thread flow = new Thread(() -> {
            Semaphore slots = new Semaphore(4);
            for (int seq = 0; flowing.get(); seq++) {
                slots.acquireUninterruptibly();
                String key = "flow-" + seq;
                dispatchedAt.put(key, System.nanoTime());
                try {
                    CompletableFuture<Void> d = producer.dispatchJobAsync(key, utf8(key));
                    d.whenComplete((v, e) -> {
                        if (e != null) {
                            failed.put(key, Futures.unwrap(e));
                        }
                        slots.release();
                    });
                    dispatches.add(d);
                } catch (RuntimeException e) {
                    failed.put(key, e);
                    slots.release();
                }
                sleep(50);
            }
        }, "state-loss-producer");
        flow.setDaemon(true);
        flow.start();
        eventually(Duration.ofSeconds(30)).until(() -> startedKeys(byWorker).stream().filter(k -> k.startsWith("flow-")).count() >= 10);

        REDIS.restartEmpty();
        long restartedAt = System.nanoTime();

        // jobs dispatched after the restart start, the first one within the TTL plus the sweep period
        eventually(Duration.ofSeconds(60)).until(() -> startedAfter(byWorker, dispatchedAt, restartedAt).size() >= 30);
        flowing.set(false);
        flow.join(30_000);
        // no node is left without its workers, and every node sees all four
        eventually(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(a.workers()).hasSize(2);
            assertThat(b.workers()).hasSize(2);
            assertThat(a.view().activeWorkers()).hasSize(4).isEqualTo(b.view().activeWorkers());
            assertThat(producer.poolWorkers()).extracting(WorkerInfo::id).containsExactlyInAnyOrderElementsOf(byWorker.keySet());
        });
        // the jobs that kept running are recorded again, so their keys are not admitted twice
        Set<String> running = startedKeys(byWorker);
        eventually(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(producer.jobKeys()).containsAll(running));
        assertThatThrownBy(() -> producer.dispatchJob("before-0", utf8("again"))).isInstanceOf(JobExistsException.class);
        // nothing hangs: every dispatch ended, and every one accepted after the restart succeeded
        CompletableFuture.allOf(dispatches.toArray(new CompletableFuture[0])).handle((v, e) -> null)
                .get(2 * ACK_GRACE.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        Set<String> after = startedAfter(byWorker, dispatchedAt, restartedAt);
        long firstStartMs = byWorker.values().stream().flatMap(h -> h.starts.stream()).filter(s -> after.contains(s.key()))
                .mapToLong(s -> TimeUnit.NANOSECONDS.toMillis(s.atNanos() - restartedAt)).min().orElseThrow();
        // and each of them started within the bound of its dispatch
        Map<String, Long> firstStart = new HashMap<>();
        byWorker.values().forEach(h -> h.starts.forEach(s -> firstStart.merge(s.key(), s.atNanos(), Math::min)));
        long slowestMs = after.stream().mapToLong(k -> TimeUnit.NANOSECONDS.toMillis(firstStart.get(k) - dispatchedAt.get(k)))
                .max().orElseThrow();

        List<String> failedAfter = failed.keySet().stream().filter(k -> dispatchedAt.get(k) > restartedAt + ms(500))
                .collect(Collectors.toList());
        System.out.printf("[empty-restart] first job dispatched after the restart started %d ms after it, the slowest of "
                        + "%d such jobs %d ms after its dispatch (bound %d ms); "
                        + "%d dispatches failed around the outage, %d of them dispatched >0.5 s after the restart; "
                        + "%d jobs ran on two workers at once%n", firstStartMs, after.size(), slowestMs, START_BOUND.toMillis(),
                failed.size(),
                failedAfter.size(), runs.overlapped.size());
        assertThat(firstStartMs).isLessThanOrEqualTo(START_BOUND.toMillis());
        assertThat(slowestMs).isLessThanOrEqualTo(START_BOUND.toMillis());
        assertThat(failedAfter).as("dispatches failed although made after the restart").isEmpty();
        assertThat(runs.overlapped).as("jobs that ran on two workers at once").isEmpty();
    }

    @Test
    void afterFlushAllWorkersRunningJobsAndPayloadsAreRecordedAgain() {
        String pool = RedisServerExtension.uniqueName("flushall");
        Node a = fixture.join(pool);
        Node b = fixture.join(pool);
        RecordingHandler ha = new RecordingHandler();
        RecordingHandler hb = new RecordingHandler();
        Worker wa = a.addWorker(ha);
        Worker wb = b.addWorker(hb);
        eventually(Duration.ofSeconds(30)).until(() -> a.view().activeWorkers().size() == 2 && b.view().activeWorkers().size() == 2);
        for (int i = 0; i < 20; i++) {
            a.dispatchJob("job-" + i, utf8("payload-" + i));
        }

        REDIS.flushAll();
        long flushedAt = System.nanoTime();

        eventually(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(REDIS.cli().hkeys(GoKeys.mapContent(GoKeys.workersMap(pool))))
                    .contains(wa.id(), wb.id());
            for (int i = 0; i < 20; i++) {
                assertThat(REDIS.cli().hget(GoKeys.mapContent(GoKeys.payloadsMap(pool)), "job-" + i))
                        .isEqualTo("payload-" + i);
            }
            assertThat(a.jobKeys()).hasSize(20);
        });
        long recoveredMs = millisSince(flushedAt);
        b.dispatchJob("after-flush", utf8("new"));
        assertThat(ha.running.size() + hb.running.size()).as("jobs running").isEqualTo(21);
        assertThat(ha.stops).as("jobs stopped by the loss").isEmpty();
        assertThat(hb.stops).as("jobs stopped by the loss").isEmpty();
        assertThat(ha.running.containsKey("after-flush") || hb.running.containsKey("after-flush")).isTrue();
        System.out.printf("[flushall] workers and 20 running jobs recorded again %d ms after FLUSHALL%n", recoveredMs);
        assertThat(recoveredMs).isLessThanOrEqualTo(START_BOUND.toMillis() + 1000);
    }

    @Test
    void aTickerKeepsTickingAfterRedisRestartsEmpty() throws Exception {
        String pool = RedisServerExtension.uniqueName("ticker-loss");
        Node a = fixture.join(pool);
        Node b = fixture.join(pool);
        List<Instant> ticks = new CopyOnWriteArrayList<>();
        Ticker ta = a.ticker("beat", Duration.ofMillis(200));
        Ticker tb = b.ticker("beat", Duration.ofMillis(200));
        ta.subscribe(ticks::add);
        tb.subscribe(ticks::add);
        eventually(Duration.ofSeconds(10)).until(() -> ticks.size() >= 5);

        REDIS.restartEmpty();
        long restartedAt = System.nanoTime();
        int before = ticks.size();

        eventually(Duration.ofSeconds(20)).until(() -> ticks.size() > before);
        long firstTickMs = millisSince(restartedAt);
        eventually(Duration.ofSeconds(20)).until(() -> ticks.size() >= before + 10);
        System.out.printf("[ticker-loss] first tick %d ms after the empty restart, 10 more by %d ms%n", firstTickMs,
                millisSince(restartedAt));
        assertThat(ta.isClosed()).as("ticker of a stopped by the loss").isFalse();
        assertThat(tb.isClosed()).as("ticker of b stopped by the loss").isFalse();
        List<Instant> sorted = new ArrayList<>(ticks);
        assertThat(sorted).doesNotHaveDuplicates();
    }

    @Test
    void aWorkerAnotherNodeRemovedIsStillEvictedNotRegisteredAgain() {
        String pool = RedisServerExtension.uniqueName("evicted-not-lost");
        Node a = fixture.join(pool);
        Node b = fixture.join(pool);
        RecordingHandler ha = new RecordingHandler();
        Worker wa = a.addWorker(ha);
        b.addWorker(new RecordingHandler());
        eventually(Duration.ofSeconds(30)).until(() -> a.view().activeWorkers().size() == 2 && b.view().activeWorkers().size() == 2);

        b.maps().workers().delete(wa.id());

        eventually(Duration.ofSeconds(30)).until(wa::isStopped);
        assertThat(REDIS.cli().hexists(GoKeys.mapContent(GoKeys.workersMap(pool)), wa.id())).isFalse();
        assertThat(a.workers()).isEmpty();
    }

    private static Set<String> startedKeys(Map<String, RecordingHandler> byWorker) {
        return byWorker.values().stream().flatMap(h -> h.running.keySet().stream()).collect(Collectors.toSet());
    }

    private static Set<String> startedAfter(Map<String, RecordingHandler> byWorker, Map<String, Long> dispatchedAt, long t) {
        Map<String, Long> after = new HashMap<>(dispatchedAt);
        after.values().removeIf(at -> at <= t);
        return byWorker.values().stream().flatMap(h -> h.starts.stream()).map(RecordingHandler.Start::key).filter(after::containsKey)
                .collect(Collectors.toSet());
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
