package io.pulse.pool;

import static io.pulse.pool.PoolTestSupport.fast;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pulse.core.OutcomeUnknownException;
import io.pulse.core.PulseRedis;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Threading, failure and scheduling contracts of pools that the Go original does not keep. */
class PoolContractsTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration LONG = Duration.ofSeconds(30);

    /** Records which threads run the handler, and lets a test hold a start. */
    static class Probe implements JobHandler {
        final Map<String, String> startThreads = new ConcurrentHashMap<>();
        final Set<String> running = ConcurrentHashMap.newKeySet();
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        volatile CountDownLatch holdStart;
        volatile boolean failStop;

        private void enter() {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
        }

        @Override
        public void start(Job job) throws Exception {
            enter();
            try {
                startThreads.put(job.key(), Thread.currentThread().getName());
                CountDownLatch hold = holdStart;
                if (hold != null && job.key().startsWith("slow")) {
                    hold.await(20, TimeUnit.SECONDS);
                }
                running.add(job.key());
            } finally {
                concurrent.decrementAndGet();
            }
        }

        @Override
        public void stop(String key) throws Exception {
            enter();
            try {
                running.remove(key);
                if (failStop) {
                    throw new IllegalStateException("stop failed for " + key);
                }
            } finally {
                concurrent.decrementAndGet();
            }
        }
    }

    @Test
    void handlersRunOffRedisIoThreadsAndOnTheGivenExecutor() {
        String pool = RedisServerExtension.uniqueName("threads");
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> new Thread(r, "user-executor"));
        try {
            Node own = fast(pool, REDIS.newPulseRedis()).join();
            Probe onOwnThread = new Probe();
            own.addWorker(onOwnThread);
            own.dispatchJob("a", new byte[0]);
            assertThat(onOwnThread.startThreads.get("a")).doesNotContain("lettuce", "epoll", "nio").startsWith("pulse-");
            own.close();

            Node withExecutor = fast(pool, REDIS.newPulseRedis()).executor(executor).join();
            Probe onExecutor = new Probe();
            withExecutor.addWorker(onExecutor);
            withExecutor.dispatchJob("b", new byte[0]);
            assertThat(onExecutor.startThreads.get("b")).isEqualTo("user-executor");
            withExecutor.close();
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aSlowStartOnOneWorkerDoesNotDelayDispatchesToAnother() throws Exception {
        String pool = RedisServerExtension.uniqueName("slowstart");
        Node node = fast(pool, REDIS.newPulseRedis()).hasher((key, n) -> key.startsWith("slow") ? 0 : n - 1).join();
        Probe first = new Probe();
        Probe second = new Probe();
        first.holdStart = new CountDownLatch(1);
        node.addWorker(first);
        node.addWorker(second);
        await().atMost(LONG).until(() -> node.view().activeWorkers().size() == 2);
        CompletableFuture<Void> slow = node.dispatchJobAsync("slow-1", new byte[0]);
        await().atMost(LONG).until(() -> first.startThreads.containsKey("slow-1"));
        long start = System.nanoTime();
        node.dispatchJob("fast-1", new byte[0]);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(slow).isNotDone();
        first.holdStart.countDown();
        slow.get(20, TimeUnit.SECONDS);
        node.close();
    }

    @Test
    void handlerCallsOfOneWorkerNeverOverlapEvenDuringARebalance() throws Exception {
        String pool = RedisServerExtension.uniqueName("overlap");
        Node node = fast(pool, REDIS.newPulseRedis()).join();
        Probe probe = new Probe();
        node.addWorker(probe);
        for (int i = 0; i < 50; i++) {
            node.dispatchJobAsync("job-" + i, new byte[0]);
        }
        await().atMost(LONG).until(() -> probe.running.size() == 50);
        // a second worker makes the first one stop the jobs that now hash elsewhere, while stops arrive
        node.addWorker(new Probe());
        for (int i = 0; i < 50; i += 3) {
            node.stopJob("job-" + i);
        }
        await().atMost(LONG).until(() -> node.jobKeys().size() == 33);
        assertThat(probe.maxConcurrent).hasValue(1);
        node.close();
    }

    @Test
    void aStopThatFailsStillStopsTheJobForThePool() {
        String pool = RedisServerExtension.uniqueName("failstop");
        Node node = fast(pool, REDIS.newPulseRedis()).join();
        Probe probe = new Probe();
        probe.failStop = true;
        node.addWorker(probe);
        node.dispatchJob("k", "v".getBytes());
        node.stopJob("k");
        // the handler's error is logged; the pool no longer runs the job and the key is free again
        await().atMost(LONG).until(() -> node.jobPayload("k").isEmpty() && node.jobKeys().isEmpty());
        probe.failStop = false;
        node.dispatchJob("k", "again".getBytes());
        assertThat(probe.running).contains("k");
        node.close();
    }

    @Test
    void aDeletedWorkerStreamIsRecreatedAndRoutedJobsStillArrive() {
        String pool = RedisServerExtension.uniqueName("nostream");
        Node node = fast(pool, REDIS.newPulseRedis()).join();
        Probe probe = new Probe();
        Worker worker = node.addWorker(probe);
        node.dispatchJob("before", new byte[0]);
        REDIS.cli().del(GoKeys.streamKey(GoKeys.workerStream(worker.id())));
        CompletableFuture<Void> after = node.dispatchJobAsync("after", new byte[0]);
        await().atMost(LONG).until(() -> probe.running.contains("after"));
        assertThat(after).succeedsWithin(LONG);
        assertThat(REDIS.cli().exists(GoKeys.streamKey(GoKeys.workerStream(worker.id())))).isEqualTo(1L);
        node.close();
    }

    @Test
    void aDispatchResultThatArrivesBeforeItsRegistrationIsKept() {
        DispatchResults results = new DispatchResults();
        results.complete(new PoolCodec.Ack("1-1", ""));
        CompletableFuture<PoolCodec.Ack> registered = results.register("1-1", "k1");
        assertThat(registered).isCompletedWithValueMatching(PoolCodec.Ack::ok);
        CompletableFuture<PoolCodec.Ack> waiting = results.register("2-1", "k2");
        assertThat(waiting).isNotDone();
        results.complete(new PoolCodec.Ack("2-1", "boom"));
        assertThat(waiting).isCompletedWithValueMatching(a -> a.error().equals("boom"));
        assertThat(results.waitingCount()).isZero();
    }

    @Test
    void aPlansDispatchesDoNotWaitOneBehindTheOtherAndARunningKeyCountsAsStarted() {
        String pool = RedisServerExtension.uniqueName("plan");
        Node node = fast(pool, REDIS.newPulseRedis()).hasher((key, n) -> key.startsWith("slow") ? 0 : n - 1).join();
        Probe first = new Probe();
        Probe second = new Probe();
        first.holdStart = new CountDownLatch(1);
        node.addWorker(first);
        node.addWorker(second);
        await().atMost(LONG).until(() -> node.view().activeWorkers().size() == 2);
        node.dispatchJob("already", new byte[0]);
        AtomicInteger plans = new AtomicInteger();
        List<JobSpec> wanted = List.of(new JobSpec("slow-a", new byte[0]), new JobSpec("quick-b", new byte[0]),
                new JobSpec("already", new byte[0]));
        Schedule schedule = node.schedule("plan", Duration.ofMillis(300),
                () -> plans.incrementAndGet() == 1 ? JobPlan.exactly(wanted) : JobPlan.exactly(List.of()));
        // the quick job starts while the slow one is still held, not after it
        await().atMost(LONG).until(() -> second.running.contains("quick-b"));
        assertThat(first.running).doesNotContain("slow-a");
        first.holdStart.countDown();
        // the next plan wants nothing: every job of the schedule stops, including the one that was
        // already running when the schedule first wanted it
        await().atMost(LONG).until(() -> plans.get() >= 2 && !second.running.contains("already")
                && !first.running.contains("slow-a") && !second.running.contains("quick-b"));
        schedule.cancel();
        node.close();
    }

    @Test
    void aDispatchNoWorkerStartsInTimeFailsWithOutcomeUnknownForTheJobMayStillStart() {
        // no full node: nothing routes the start, which stays queued in the pool stream
        String pool = RedisServerExtension.uniqueName("timeout");
        Node producer = REDIS.track(Node.builder(pool, REDIS.newPulseRedis()).clientOnly()
                .ackGracePeriod(Duration.ofMillis(300)).join());

        long start = System.nanoTime();
        assertThatThrownBy(() -> producer.dispatchJob("late", new byte[] {1}))
                .isInstanceOf(OutcomeUnknownException.class).hasMessageContaining("may still start");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
        assertThatThrownBy(() -> producer.dispatchJobAsync("later", new byte[] {2}).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(OutcomeUnknownException.class);
    }
}
