package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pulse.core.ClosedException;
import io.pulse.core.PulseException;
import io.pulse.core.PulseRedis;
import io.pulse.core.internal.Futures;
import io.pulse.testing.GoKeys;
import io.pulse.testing.LogCapture;
import io.pulse.testing.RedisServerExtension;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.rmap.internal.StateMaps;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The pool scenarios of the Go suite that need no failure injection, plus the
 * Java port's additions (admission limit, jobs dispatched before any worker node, duplicate and
 * malformed stream records, client-only nodes). Every node gets its own {@link PulseRedis}, as if it
 * ran in a process of its own.
 */
class PoolScenariosTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pool-scenarios-test");
        t.setDaemon(true);
        return t;
    });

    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private final List<PulseRedis> redises = new CopyOnWriteArrayList<>();

    @AfterEach
    void leaveEveryPool() throws Exception {
        List<Future<?>> closing = new ArrayList<>();
        for (Node node : nodes) {
            closing.add(THREADS.submit(node::close));
        }
        for (Future<?> f : closing) {
            f.get(60, TimeUnit.SECONDS);
        }
        redises.forEach(PulseRedis::close);
    }

    @AfterAll
    static void stopThreads() {
        THREADS.shutdownNow();
    }

    // ------------------------------------------------------------------ fixture

    /** Records what a worker's handler was asked to do; has no notification handler of its own. */
    static class Recorder implements JobHandler {
        final Map<String, Job> running = new ConcurrentHashMap<>();
        final List<Job> starts = new CopyOnWriteArrayList<>();
        final List<String> stops = new CopyOnWriteArrayList<>();
        volatile Predicate<String> refuse = key -> false;

        @Override
        public void start(Job job) {
            starts.add(job);
            if (refuse.test(job.key())) {
                throw new IllegalStateException("refusing to start " + job.key());
            }
            running.put(job.key(), job);
        }

        @Override
        public void stop(String key) {
            stops.add(key);
            running.remove(key);
        }

        long startsOf(String key) {
            return starts.stream().filter(j -> j.key().equals(key)).count();
        }

        List<String> startedKeys() {
            return starts.stream().map(Job::key).collect(Collectors.toList());
        }
    }

    /** A recorder that also receives notifications. */
    static final class Notified extends Recorder {
        final List<Map.Entry<String, byte[]>> notifications = new CopyOnWriteArrayList<>();

        @Override
        public void handleNotification(String key, byte[] payload) {
            notifications.add(Map.entry(key, payload));
        }
    }

    private static Node.Builder fast(String pool, PulseRedis redis) {
        return Node.builder(pool, redis).workerTtl(Duration.ofSeconds(2)).ackGracePeriod(Duration.ofSeconds(1))
                .jobSinkBlockDuration(Duration.ofMillis(200)).workerShutdownTtl(Duration.ofSeconds(2));
    }

    private PulseRedis newRedis() {
        PulseRedis redis = REDIS.newPulseRedis();
        redises.add(redis);
        return redis;
    }

    private Node join(String pool) {
        return join(pool, b -> b);
    }

    private Node join(String pool, UnaryOperator<Node.Builder> options) {
        Node node = options.apply(fast(pool, newRedis())).join();
        nodes.add(node);
        return node;
    }

    private static ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String pool(String base) {
        return RedisServerExtension.uniqueName(base);
    }

    private static void awaitActiveWorkers(int count, Node... all) {
        eventually().untilAsserted(() -> {
            for (Node node : all) {
                assertThat(node.view().activeWorkers()).as("active workers seen by %s", node).hasSize(count);
            }
        });
    }

    private static String payloadsHash(String pool) {
        return GoKeys.mapContent(GoKeys.payloadsMap(pool));
    }

    private static String pendingHash(String pool) {
        return GoKeys.mapContent(GoKeys.pendingMap(pool));
    }

    private static String poolStreamKey(String pool) {
        return GoKeys.streamKey(GoKeys.poolStream(pool));
    }

    /** Pool events delivered to a node but not acknowledged yet. */
    private static long unackedPoolEvents(String pool) {
        return REDIS.cli().xpending(poolStreamKey(pool), GoKeys.POOL_SINK).getCount();
    }

    /** The outcome of a dispatch: {@code null} on success, else the exception it failed with. */
    private static Throwable outcome(CompletableFuture<Void> dispatch) throws Exception {
        return dispatch.handle((v, e) -> e == null ? null : Futures.unwrap(e)).get(60, TimeUnit.SECONDS);
    }

    private record TwoNodes(Node first, Node second, Worker w1, Worker w2, Recorder h1, Recorder h2) {
    }

    /** Two nodes with one worker each, both workers active on both nodes. */
    private TwoNodes twoNodes(String pool, UnaryOperator<Node.Builder> options) {
        Node first = join(pool, options);
        Node second = join(pool, options);
        Recorder h1 = new Recorder();
        Recorder h2 = new Recorder();
        Worker w1 = first.addWorker(h1);
        Worker w2 = second.addWorker(h2);
        awaitActiveWorkers(2, first, second);
        return new TwoNodes(first, second, w1, w2, h1, h2);
    }

    // ------------------------------------------------------------------ node basics and queries

    @Test
    void workersListsExactlyTheWorkersOfThisNode() {
        String pool = pool("workers");
        Node node = join(pool);
        Node other = join(pool);
        Worker a = node.addWorker(new Recorder());
        Worker b = node.addWorker(new Recorder());
        Worker c = node.addWorker(new Recorder());
        Worker elsewhere = other.addWorker(new Recorder());

        assertThat(node.workers()).extracting(WorkerInfo::id).containsExactly(a.id(), b.id(), c.id());
        assertThat(node.workers()).containsExactly(new WorkerInfo(a.id(), a.createdAt()),
                new WorkerInfo(b.id(), b.createdAt()), new WorkerInfo(c.id(), c.createdAt()));
        assertThat(other.workers()).extracting(WorkerInfo::id).containsExactly(elsewhere.id());
    }

    @Test
    void poolWorkersListsTheWorkersOfEveryNodeWithTheirCreationTimes() {
        String pool = pool("pool-workers");
        Node a = join(pool);
        Node b = join(pool);
        Worker a1 = a.addWorker(new Recorder());
        Worker a2 = a.addWorker(new Recorder());
        Worker b1 = b.addWorker(new Recorder());
        List<WorkerInfo> expected = List.of(new WorkerInfo(a1.id(), a1.createdAt()),
                new WorkerInfo(a2.id(), a2.createdAt()), new WorkerInfo(b1.id(), b1.createdAt()));

        eventually().untilAsserted(() -> {
            assertThat(a.poolWorkers()).containsExactlyElementsOf(expected);
            assertThat(b.poolWorkers()).containsExactlyElementsOf(expected);
        });
    }

    @Test
    void jobKeysListsEveryJobOfThePoolOnEveryNode() {
        String pool = pool("job-keys");
        Node first = join(pool, b -> b.hasher((k, n) -> 0));
        Node second = join(pool, b -> b.hasher((k, n) -> n - 1));
        Recorder h1 = new Recorder();
        Recorder h2 = new Recorder();
        first.addWorker(h1);
        second.addWorker(h2);
        awaitActiveWorkers(2, first, second);

        for (String key : List.of("job1", "job2", "job3", "job4")) {
            first.dispatchJob(key, utf8("payload of " + key));
        }

        eventually().untilAsserted(() -> {
            assertThat(first.jobKeys()).containsExactlyInAnyOrder("job1", "job2", "job3", "job4");
            assertThat(second.jobKeys()).containsExactlyInAnyOrder("job1", "job2", "job3", "job4");
        });
        assertThat(h1.running.size() + h2.running.size()).isEqualTo(4);

        for (String key : List.of("job1", "job2", "job3", "job4")) {
            first.stopJob(key);
        }
        eventually().untilAsserted(() -> {
            assertThat(first.jobKeys()).isEmpty();
            assertThat(second.jobKeys()).isEmpty();
        });
    }

    @Test
    void jobPayloadReturnsTheStoredPayloadUntilTheJobStops() {
        String pool = pool("job-payload");
        Node node = join(pool);
        node.addWorker(new Recorder());

        node.dispatchJob("job1", utf8("payload1"));
        node.dispatchJob("job2", new byte[0]);

        assertThat(node.jobPayload("job1")).hasValueSatisfying(p -> assertThat(p).containsExactly(utf8("payload1")));
        assertThat(node.jobPayload("job2")).hasValueSatisfying(p -> assertThat(p).isEmpty());
        assertThat(node.jobPayload("non-existent-job")).isEmpty();

        node.stopJob("job1");
        eventually().until(() -> node.jobPayload("job1").isEmpty());
        assertThat(node.jobPayload("job2")).isPresent();
        node.dispatchJob("job1", utf8("payload1 again"));
        assertThat(node.jobPayload("job1")).hasValueSatisfying(p -> assertThat(p).containsExactly(utf8("payload1 again")));
    }

    @Test
    void binaryPayloadThatIsNotUtf8RoundTripsByteForByte() {
        String pool = pool("binary-payload");
        Node node = join(pool);
        Recorder handler = new Recorder();
        node.addWorker(handler);
        Node client = join(pool, Node.Builder::clientOnly);
        byte[] payload = new byte[256 + 6];
        for (int i = 0; i < 256; i++) {
            payload[i] = (byte) i;
        }
        byte[] invalidUtf8 = {(byte) 0xc3, 0x28, (byte) 0xa0, (byte) 0xa1, (byte) 0xff, (byte) 0xfe};
        System.arraycopy(invalidUtf8, 0, payload, 256, invalidUtf8.length);

        client.dispatchJob("binary", payload);

        assertThat(handler.running.get("binary").payload()).containsExactly(payload);
        assertThat(node.jobPayload("binary")).hasValueSatisfying(p -> assertThat(p).containsExactly(payload));
        assertThat(client.jobPayload("binary")).hasValueSatisfying(p -> assertThat(p).containsExactly(payload));
    }

    @Test
    void keysWithQuotesBackslashesSpacesAndUnicodeRoundTripThroughTheJobsMap() {
        String pool = pool("odd-keys");
        Node node = join(pool);
        Recorder handler = new Recorder();
        Worker worker = node.addWorker(handler);
        Node client = join(pool, Node.Builder::clientOnly);
        List<String> keys = List.of("with \"quotes\"", "back\\slash", "comma,[bracket]", "spaces and\ttab",
                "ünïcødé ✓ 日本", "colon:separated:key");

        for (String key : keys) {
            client.dispatchJob(key, utf8(key));
        }

        assertThat(worker.jobKeys()).containsExactlyInAnyOrderElementsOf(keys);
        eventually().untilAsserted(() -> {
            assertThat(node.jobKeys()).containsExactlyInAnyOrderElementsOf(keys);
            assertThat(client.jobKeys()).containsExactlyInAnyOrderElementsOf(keys);
        });
        for (String key : keys) {
            assertThat(client.jobPayload(key)).hasValueSatisfying(v -> assertThat(v).containsExactly(utf8(key)));
            client.stopJob(key);
        }
        eventually().untilAsserted(() -> assertThat(handler.stops).containsExactlyInAnyOrderElementsOf(keys));
        eventually().untilAsserted(() -> assertThat(client.jobKeys()).isEmpty());
    }

    // ------------------------------------------------------------------ dispatch and routing

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

    // ------------------------------------------------------------------ dispatch races and guards

    @Test
    void concurrentDispatchOfOneKeyFromTwoNodesAdmitsExactlyOne() throws Exception {
        String pool = pool("race-two-nodes");
        TwoNodes p = twoNodes(pool, b -> b);

        CompletableFuture<Void> one = p.first().dispatchJobAsync("job", utf8("from first"));
        CompletableFuture<Void> two = p.second().dispatchJobAsync("job", utf8("from second"));
        List<Throwable> outcomes = new ArrayList<>();
        outcomes.add(outcome(one));
        outcomes.add(outcome(two));

        assertThat(outcomes).filteredOn(t -> t == null).hasSize(1);
        assertThat(outcomes).filteredOn(t -> t != null).singleElement().isInstanceOf(JobExistsException.class);
        assertThat(p.h1().startsOf("job") + p.h2().startsOf("job")).isEqualTo(1);
    }

    @Test
    void sequentialDispatchOfARunningKeyFromAnotherNodeIsRejected() {
        String pool = pool("race-sequential");
        TwoNodes p = twoNodes(pool, b -> b);

        p.first().dispatchJob("job", utf8("first"));

        assertThatThrownBy(() -> p.second().dispatchJob("job", utf8("second"))).isInstanceOf(JobExistsException.class);
        eventually().until(() -> REDIS.cli().hget(pendingHash(pool), "job") == null);
        assertThat(p.h1().startsOf("job") + p.h2().startsOf("job")).isEqualTo(1);
        assertThat(p.first().jobPayload("job")).hasValueSatisfying(v -> assertThat(v).containsExactly(utf8("first")));
    }

    @Test
    void activeGuardWrittenDirectlyInRedisRejectsTheDispatchAndIsLeftAlone() {
        String pool = pool("race-active-guard");
        TwoNodes p = twoNodes(pool, b -> b);
        String guard = Long.toString(PoolClock.nowNanos() + TimeUnit.HOURS.toNanos(1));
        REDIS.cli().hset(pendingHash(pool), "job", guard);

        assertThatThrownBy(() -> p.first().dispatchJob("job", utf8("x"))).isInstanceOf(JobExistsException.class);

        assertThat(REDIS.cli().hget(pendingHash(pool), "job")).isEqualTo(guard);
        assertThat(REDIS.cli().xlen(poolStreamKey(pool))).as("events added to the pool stream").isZero();
        assertThat(p.h1().starts).isEmpty();
        assertThat(p.h2().starts).isEmpty();
    }

    @Test
    void staleGuardWrittenDirectlyInRedisIsOverwrittenAndTheDispatchSucceeds() {
        String pool = pool("race-stale-guard");
        TwoNodes p = twoNodes(pool, b -> b);
        String stale = Long.toString(PoolClock.nowNanos() - TimeUnit.HOURS.toNanos(1));
        REDIS.cli().hset(pendingHash(pool), "job", stale);

        p.first().dispatchJob("job", utf8("x"));

        assertThat(p.h1().startsOf("job") + p.h2().startsOf("job")).isEqualTo(1);
        eventually().until(() -> REDIS.cli().hget(pendingHash(pool), "job") == null);
    }

    @Test
    void malformedGuardFailsTheDispatchWithAnErrorThatIsNotJobExists() {
        String pool = pool("race-malformed-guard");
        TwoNodes p = twoNodes(pool, b -> b);
        REDIS.cli().hset(pendingHash(pool), "job", "not-a-timestamp");

        assertThatThrownBy(() -> p.first().dispatchJob("job", utf8("x")))
                .isInstanceOf(PulseException.class)
                .isNotInstanceOf(JobExistsException.class)
                .hasMessageContaining("malformed pending guard");

        assertThat(REDIS.cli().hget(pendingHash(pool), "job")).isEqualTo("not-a-timestamp");
        assertThat(p.h1().starts).isEmpty();
        assertThat(p.h2().starts).isEmpty();
    }

    @Test
    void twentyConcurrentDispatchesOfOneKeyAdmitOneAndRejectNineteen() throws Exception {
        String pool = pool("race-twenty");
        TwoNodes p = twoNodes(pool, b -> b);
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<Throwable>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] payload = utf8("attempt " + i);
            calls.add(THREADS.submit(() -> {
                gate.await();
                try {
                    p.first().dispatchJob("job", payload);
                    return null;
                } catch (RuntimeException e) {
                    return e;
                }
            }));
        }

        gate.countDown();
        List<Throwable> outcomes = new ArrayList<>();
        for (Future<Throwable> call : calls) {
            outcomes.add(call.get(60, TimeUnit.SECONDS));
        }

        assertThat(outcomes).filteredOn(t -> t == null).hasSize(1);
        assertThat(outcomes).filteredOn(t -> t != null).hasSize(19).allSatisfy(t -> assertThat(t)
                .isInstanceOf(JobExistsException.class));
        assertThat(p.h1().startsOf("job") + p.h2().startsOf("job")).isEqualTo(1);
    }

    @Test
    void payloadWrittenDirectlyInRedisRejectsTheDispatchAndLeavesNoGuard() {
        String pool = pool("race-payload");
        TwoNodes p = twoNodes(pool, b -> b);
        REDIS.cli().hset(payloadsHash(pool), "job", "running elsewhere");

        assertThatThrownBy(() -> p.second().dispatchJob("job", utf8("x"))).isInstanceOf(JobExistsException.class);

        assertThat(REDIS.cli().hget(pendingHash(pool), "job")).isNull();
        assertThat(REDIS.cli().xlen(poolStreamKey(pool))).isZero();
        assertThat(p.h1().starts).isEmpty();
        assertThat(p.h2().starts).isEmpty();
    }

    // ------------------------------------------------------------------ notifications

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

    // ------------------------------------------------------------------ remove, close, shutdown

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

    // ------------------------------------------------------------------ client-only nodes

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

    // ------------------------------------------------------------------ admission and startup

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

    // ------------------------------------------------------------------ duplicate, malformed and failing events

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

    // ------------------------------------------------------------------ bad input

    @Test
    void badInputIsRejectedAtTheCallAndNothingIsQueued() {
        String pool = pool("bad-input");
        Node node = join(pool);
        PulseRedis redis = newRedis();

        assertThatThrownBy(() -> node.dispatchJob("", utf8("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> node.dispatchJobAsync("", utf8("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> node.dispatchJob("a=b", utf8("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> node.dispatchJobAsync("a=b", utf8("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> node.dispatchJob(null, utf8("x"))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> node.dispatchJob("job", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> node.dispatchJobAsync("job", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> node.stopJob("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> node.stopJob("a=b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> node.notifyWorker("", utf8("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> node.notifyWorker("a=b", utf8("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> node.notifyWorker("job", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> node.jobPayload(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> node.addWorker(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Node.builder("", redis)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Node.builder("has space", redis)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Node.builder("star*", redis)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Node.builder(null, redis)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Node.builder(pool, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Node.builder(pool, redis).workerTtl(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Node.builder(pool, redis).ackGracePeriod(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Node.builder(pool, redis).maxQueuedJobs(-1)).isInstanceOf(IllegalArgumentException.class);

        assertThat(REDIS.cli().xlen(poolStreamKey(pool))).isZero();
        assertThat(REDIS.cli().hkeys(pendingHash(pool))).noneMatch(k -> !k.startsWith("="));
    }

    @Test
    void stopAndNotifyOfAnUnknownJobAreDroppedQuietly() {
        String pool = pool("unknown-job");
        Node node = join(pool);
        Notified handler = new Notified();
        node.addWorker(handler);

        node.stopJob("unknown");
        node.notifyWorker("unknown", utf8("x"));
        node.dispatchJob("barrier", utf8("y"));

        eventually().until(() -> unackedPoolEvents(pool) == 0);
        assertThat(handler.stops).isEmpty();
        assertThat(handler.notifications).isEmpty();
        assertThat(handler.running).containsOnlyKeys("barrier");
    }

    @Test
    void workerCreationTimeIsTheOneStoredInTheWorkersMap() {
        String pool = pool("created-at");
        Node node = join(pool);
        Worker worker = node.addWorker(new Recorder());

        String stored = REDIS.cli().hget(GoKeys.mapContent(GoKeys.workersMap(pool)), worker.id());

        assertThat(Long.parseLong(stored)).isEqualTo(PoolClock.toNanos(worker.createdAt()));
        eventually().untilAsserted(() -> assertThat(Set.copyOf(node.view().activeWorkers())).containsExactly(worker.id()));
    }
}
