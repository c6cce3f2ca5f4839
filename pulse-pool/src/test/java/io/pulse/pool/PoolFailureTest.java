package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.pulse.core.PulseException;
import io.pulse.core.PulseRedis;
import io.pulse.core.internal.Futures;
import io.pulse.testing.GoKeys;
import io.pulse.testing.LogCapture;
import io.pulse.testing.RedisServerExtension;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.rmap.internal.StateMaps;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Failure behaviour of worker pools: workers joining a loaded pool, Redis killed and restarted,
 * handlers that never return, corrupt records and map values, the Go suite's failure scenarios
 *, and the weaknesses P5–P7, P12, P14–P16 of the Go implementation
 * (the list of Go Pulse weaknesses). Every node has a {@link PulseRedis} of its own, as if it ran in its own process.
 * Measured durations are printed on standard output ({@code target/surefire-reports/*-output.txt}).
 */
class PoolFailureTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration TTL = Duration.ofSeconds(2);
    private static final Duration ACK_GRACE = Duration.ofSeconds(1);
    private static final Duration SINK_BLOCK = Duration.ofMillis(200);
    private static final Duration SHUTDOWN_TTL = Duration.ofSeconds(2);

    private static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pool-failure-test");
        t.setDaemon(true);
        return t;
    });

    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private final List<PulseRedis> redises = new CopyOnWriteArrayList<>();
    /** Run before the nodes close: releases blocked handlers and maintenance threads, kills processes. */
    private final List<Runnable> undo = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        List<Runnable> steps = new ArrayList<>(undo);
        Collections.reverse(steps);
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                System.out.println("tear-down step failed: " + e);
            }
        }
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

    /** Which handlers run each key right now, and which keys ever ran on two handlers at once. */
    static final class Ledger {
        final Map<String, Set<Handler>> executing = new ConcurrentHashMap<>();
        final Set<String> overlapped = ConcurrentHashMap.newKeySet();

        void started(String key, Handler handler) {
            executing.compute(key, (k, running) -> {
                Set<Handler> set = running == null ? new HashSet<>() : new HashSet<>(running);
                set.add(handler);
                if (set.size() > 1) {
                    overlapped.add(k);
                }
                return set;
            });
        }

        void stopped(String key, Handler handler) {
            executing.computeIfPresent(key, (k, running) -> {
                Set<Handler> set = new HashSet<>(running);
                set.remove(handler);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /** Records its starts and stops; its stop can be made to block on a gate. */
    static final class Handler implements JobHandler {
        final Ledger ledger;
        final Map<String, Job> running = new ConcurrentHashMap<>();
        final List<Job> starts = new CopyOnWriteArrayList<>();
        final List<String> stops = new CopyOnWriteArrayList<>();
        volatile CountDownLatch stopGate;
        volatile java.util.function.Predicate<String> failStop = key -> false;

        Handler(Ledger ledger) {
            this.ledger = ledger;
        }

        Handler() {
            this(new Ledger());
        }

        @Override
        public void start(Job job) {
            starts.add(job);
            running.put(job.key(), job);
            ledger.started(job.key(), this);
        }

        @Override
        public void stop(String key) throws InterruptedException {
            stops.add(key);
            if (failStop.test(key)) {
                throw new IllegalStateException("refusing to stop " + key);
            }
            CountDownLatch gate = stopGate;
            if (gate != null) {
                gate.await();
            }
            running.remove(key);
            ledger.stopped(key, this);
        }

        long startsOf(String key) {
            return starts.stream().filter(j -> j.key().equals(key)).count();
        }
    }

    private static Node.Builder fast(String pool, PulseRedis redis) {
        return Node.builder(pool, redis).workerTtl(TTL).ackGracePeriod(ACK_GRACE).jobSinkBlockDuration(SINK_BLOCK)
                .workerShutdownTtl(SHUTDOWN_TTL);
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

    /** A replicated map of the pool joined on a connection of its own (closed by the caller). */
    private ReplicatedMap poolMap(String mapName) {
        return StateMaps.join(mapName, newRedis());
    }

    private static ConditionFactory eventually() {
        return eventually(Duration.ofSeconds(30));
    }

    private static ConditionFactory eventually(Duration atMost) {
        return await().atMost(atMost).pollInterval(Duration.ofMillis(20));
    }

    private static String pool(String base) {
        return RedisServerExtension.uniqueName(base);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static String poolStreamKey(String pool) {
        return GoKeys.streamKey(GoKeys.poolStream(pool));
    }

    private static String nodeStreamKey(String pool, String nodeId) {
        return GoKeys.streamKey(GoKeys.nodeStream(pool, nodeId));
    }

    private static String workerStreamKey(String workerId) {
        return GoKeys.streamKey(GoKeys.workerStream(workerId));
    }

    private static boolean inRedisMap(String mapName, String key) {
        return REDIS.cli().hexists(GoKeys.mapContent(mapName), key);
    }

    private static long unackedPoolEvents(String pool) {
        return REDIS.cli().xpending(poolStreamKey(pool), GoKeys.POOL_SINK).getCount();
    }

    private static void awaitBuckets(List<String> buckets, Node... all) {
        eventually().untilAsserted(() -> {
            for (Node node : all) {
                assertThat(node.view().activeWorkers()).as("bucket list of %s", node).containsExactlyElementsOf(buckets);
            }
        });
    }

    private static void awaitActiveWorkers(int count, Node... all) {
        eventually().untilAsserted(() -> {
            for (Node node : all) {
                assertThat(node.view().activeWorkers()).as("active workers seen by %s", node).hasSize(count);
            }
        });
    }

    /** Blocks the node's maintenance thread (its keep-alive, sweeps and rebalancing) until the latch opens. */
    private CountDownLatch freezeMaintenance(Node node) throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        node.maintenance().submit(() -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        undo.add(release::countDown);
        assertThat(entered.await(30, TimeUnit.SECONDS)).as("maintenance thread of %s frozen", node).isTrue();
        return release;
    }

    /** Runs {@code call} (close, shutdown) on another thread, failing the test if it hangs; returns its ms. */
    private static long timed(Runnable call) throws Exception {
        long start = System.nanoTime();
        THREADS.submit(call).get(60, TimeUnit.SECONDS);
        return millisSince(start);
    }

    /** Dispatches every key with at most {@code inFlight} dispatches waiting; returns the failures. */
    private static Map<String, Throwable> dispatchAll(Node from, List<String> keys, int inFlight) throws Exception {
        Semaphore slots = new Semaphore(inFlight);
        Map<String, CompletableFuture<Void>> dispatches = new LinkedHashMap<>();
        for (String key : keys) {
            slots.acquire();
            CompletableFuture<Void> d = from.dispatchJobAsync(key, utf8("payload of " + key));
            d.whenComplete((v, e) -> slots.release());
            dispatches.put(key, d);
        }
        Map<String, Throwable> failures = new HashMap<>();
        for (Map.Entry<String, CompletableFuture<Void>> d : dispatches.entrySet()) {
            Throwable failure = d.getValue().handle((v, e) -> e == null ? null : Futures.unwrap(e))
                    .get(120, TimeUnit.SECONDS);
            if (failure != null) {
                failures.put(d.getKey(), failure);
            }
        }
        return failures;
    }

    // ------------------------------------------------------------------ 1. a worker joins a loaded pool

    @Test
    void addingAWorkerMovesExactlyTheJobsTheJumpHashNowAssignsToItAndNoOther() throws Exception {
        String pool = pool("add-worker");
        // long TTL and grace: a busy machine must not make a live worker look dead or a start look lost
        UnaryOperator<Node.Builder> stable = b -> b.workerTtl(Duration.ofSeconds(10))
                .ackGracePeriod(Duration.ofSeconds(10)).workerShutdownTtl(Duration.ofSeconds(5));
        Node a = join(pool, stable);
        Node b = join(pool, stable);
        Node client = join(pool, o -> stable.apply(o).clientOnly());
        Ledger ledger = new Ledger();
        Handler h1 = new Handler(ledger);
        Handler h2 = new Handler(ledger);
        Worker w1 = a.addWorker(h1);
        Worker w2 = b.addWorker(h2);
        List<String> two = List.of(w1.id(), w2.id());
        awaitBuckets(two, a, b);
        List<String> keys = IntStream.range(0, 1000).mapToObj(i -> "job-" + i).collect(Collectors.toList());

        Map<String, Throwable> failures = dispatchAll(client, keys, 64);

        assertThat(failures).as("failed dispatches").isEmpty();
        Map<String, Handler> byWorker = new HashMap<>(Map.of(w1.id(), h1, w2.id(), h2));
        for (String key : keys) {
            assertThat(byWorker.get(two.get(JumpHash.bucket(key, 2))).running).as("owner of %s", key).containsKey(key);
        }
        assertThat(h1.running.size() + h2.running.size()).isEqualTo(keys.size());
        eventually().until(() -> unackedPoolEvents(pool) == 0);
        Set<String> before1 = Set.copyOf(h1.running.keySet());
        Set<String> before2 = Set.copyOf(h2.running.keySet());
        int starts1 = h1.starts.size();
        int starts2 = h2.starts.size();
        assertThat(h1.stops).isEmpty();
        assertThat(h2.stops).isEmpty();
        Set<String> moving = keys.stream().filter(k -> JumpHash.bucket(k, 3) == 2).collect(Collectors.toSet());

        long added = System.nanoTime();
        Handler h3 = new Handler(ledger);
        Worker w3 = a.addWorker(h3);
        byWorker.put(w3.id(), h3);
        List<String> three = List.of(w1.id(), w2.id(), w3.id());
        awaitBuckets(three, a, b);
        eventually(Duration.ofSeconds(90)).until(() -> h3.running.keySet().equals(moving));
        long movedMs = millisSince(added);
        eventually().until(() -> unackedPoolEvents(pool) == 0);
        // nothing else moves afterwards either
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> h1.starts.size() == starts1 && h2.starts.size() == starts2
                        && h3.starts.size() == moving.size() && h1.stops.size() + h2.stops.size() == moving.size());
        System.out.printf("[add-worker] %d of %d jobs moved to the new worker in %d ms%n", moving.size(), keys.size(),
                movedMs);

        assertThat(moving).hasSizeBetween(250, 420);
        assertThat(h3.starts).extracting(Job::key).containsExactlyInAnyOrderElementsOf(moving);
        assertThat(h3.starts).allSatisfy(job -> {
            assertThat(job.requeued()).as("requeued flag of %s", job.key()).isTrue();
            assertThat(job.payload()).containsExactly(utf8("payload of " + job.key()));
        });
        assertThat(h1.starts).hasSize(starts1);
        assertThat(h2.starts).hasSize(starts2);
        assertThat(h1.stops).containsExactlyInAnyOrderElementsOf(intersection(before1, moving));
        assertThat(h2.stops).containsExactlyInAnyOrderElementsOf(intersection(before2, moving));
        for (String key : keys) {
            String owner = three.get(JumpHash.bucket(key, 3));
            assertThat(byWorker.get(owner).running).as("owner of %s", key).containsKey(key);
        }
        assertThat(h1.running.size() + h2.running.size() + h3.running.size()).isEqualTo(keys.size());
        assertThat(ledger.overlapped).as("jobs that ran on two workers at once").isEmpty();
        eventually().untilAsserted(() -> assertThat(new TreeSet<>(a.maps().jobs().getValues(w3.id())))
                .isEqualTo(new TreeSet<>(moving)));
    }

    private static Set<String> intersection(Set<String> a, Set<String> b) {
        Set<String> out = new HashSet<>(a);
        out.retainAll(b);
        return out;
    }

    // ------------------------------------------------------------------ 2. Redis killed and restarted

    @Test
    void afterRedisIsKilledAndRestartedEveryAcceptedJobRunsOnTheWorkerTheHashNames() throws Exception {
        String pool = pool("redis-restart");
        Node a = join(pool);
        Node b = join(pool);
        Node client = join(pool, Node.Builder::clientOnly);
        Ledger ledger = new Ledger();
        Map<String, Handler> byWorker = new ConcurrentHashMap<>();
        for (Node node : List.of(a, b)) {
            for (int i = 0; i < 2; i++) {
                Handler h = new Handler(ledger);
                byWorker.put(node.addWorker(h).id(), h);
            }
        }
        awaitActiveWorkers(4, a, b);
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        Map<String, Throwable> refused = new ConcurrentHashMap<>();
        for (int i = 0; i < 100; i++) {
            client.dispatchJob("before-" + i, utf8("before-" + i));
            accepted.add("before-" + i);
        }
        AtomicBoolean flowing = new AtomicBoolean(true);
        AtomicLong restartedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong firstAcceptedAfterRestart = new AtomicLong(Long.MAX_VALUE);
        AtomicInteger acceptedAfterRestart = new AtomicInteger();
        Future<?> flow = THREADS.submit(() -> {
            Semaphore slots = new Semaphore(8);
            int seq = 0;
            while (flowing.get()) {
                slots.acquireUninterruptibly();
                String key = "flow-" + (++seq);
                CompletableFuture<Void> d;
                try {
                    d = client.dispatchJobAsync(key, utf8(key));
                } catch (RuntimeException e) {
                    refused.put(key, e);
                    slots.release();
                    continue;
                }
                d.whenComplete((v, e) -> {
                    if (e == null) {
                        accepted.add(key);
                        long now = System.nanoTime();
                        if (now > restartedAt.get()) {
                            acceptedAfterRestart.incrementAndGet();
                            firstAcceptedAfterRestart.accumulateAndGet(now, Math::min);
                        }
                    } else {
                        refused.put(key, Futures.unwrap(e));
                    }
                    slots.release();
                });
            }
            slots.acquireUninterruptibly(8);
            return null;
        });
        undo.add(() -> flowing.set(false));
        eventually().until(() -> accepted.stream().filter(k -> k.startsWith("flow-")).count() >= 20);

        long killedAt = System.nanoTime();
        REDIS.kill();
        Thread.sleep(1000); // the outage
        REDIS.restart();
        restartedAt.set(System.nanoTime());
        eventually(Duration.ofSeconds(60)).until(() -> acceptedAfterRestart.get() >= 50);
        flowing.set(false);
        flow.get(120, TimeUnit.SECONDS);

        AtomicInteger bucketsAtEnd = new AtomicInteger();
        eventually(Duration.ofSeconds(90)).untilAsserted(() -> {
            List<String> buckets = a.view().activeWorkers();
            assertThat(buckets).as("bucket list").isNotEmpty().isEqualTo(b.view().activeWorkers());
            bucketsAtEnd.set(buckets.size());
            Map<String, List<String>> where = new HashMap<>();
            byWorker.forEach((worker, h) -> h.running.keySet().forEach(
                    key -> where.computeIfAbsent(key, k -> new ArrayList<>()).add(worker)));
            for (String key : accepted) {
                assertThat(where.get(key)).as("workers running accepted job %s", key)
                        .containsExactly(buckets.get(JumpHash.bucket(key, buckets.size())));
            }
            assertThat(where).allSatisfy((key, workers) -> assertThat(workers).as("workers running %s", key).hasSize(1));
        });
        long convergedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt.get());
        System.out.printf("[redis-restart] outage (kill to restarted) %d ms; first dispatch accepted %d ms after the "
                        + "restart; converged %d ms after the restart; %d jobs accepted, %d dispatches failed (%s); "
                        + "%d of 4 workers still active; %d jobs ran on two workers at some point%n",
                TimeUnit.NANOSECONDS.toMillis(restartedAt.get() - killedAt),
                TimeUnit.NANOSECONDS.toMillis(firstAcceptedAfterRestart.get() - restartedAt.get()), convergedMs,
                accepted.size(), refused.size(),
                refused.values().stream().map(t -> t.getClass().getSimpleName()).distinct().collect(Collectors.toList()),
                bucketsAtEnd.get(), ledger.overlapped.size());
        assertThat(refused.values()).allSatisfy(t -> assertThat(t).isInstanceOf(PulseException.class));
    }

    // ------------------------------------------------------------------ 3. a handler whose stop hangs

    @Test
    void aHandlerWhoseStopNeverReturnsDoesNotHoldCloseBeyondTheWorkerShutdownTtl() throws Exception {
        String pool = pool("stuck-stop");
        Duration shutdownTtl = Duration.ofSeconds(1);
        Node a = join(pool, o -> o.hasher((k, n) -> 0).workerShutdownTtl(shutdownTtl));
        Node b = join(pool, o -> o.hasher((k, n) -> 0).workerShutdownTtl(shutdownTtl));
        Handler stuck = new Handler();
        CountDownLatch never = new CountDownLatch(1);
        stuck.stopGate = never;
        undo.add(never::countDown);
        Worker wa = a.addWorker(stuck);
        Handler hb = new Handler();
        Worker wb = b.addWorker(hb);
        awaitBuckets(List.of(wa.id(), wb.id()), a, b);
        a.dispatchJob("stuck-job", utf8("stuck payload"));
        assertThat(stuck.running).containsOnlyKeys("stuck-job");

        long start = System.nanoTime();
        long closeMs = timed(a::close);
        eventually().until(() -> hb.running.containsKey("stuck-job"));
        long movedMs = millisSince(start);
        System.out.printf("[stuck-stop] close() returned after %d ms (workerShutdownTtl %d ms); job running on the "
                + "other node %d ms after close began%n", closeMs, shutdownTtl.toMillis(), movedMs);

        assertThat(a.isClosed()).isTrue();
        assertThat(Duration.ofMillis(closeMs)).isLessThan(shutdownTtl.plusSeconds(2));
        assertThat(stuck.stops).containsExactly("stuck-job");
        assertThat(hb.running.get("stuck-job").requeued()).isTrue();
        assertThat(hb.running.get("stuck-job").payload()).containsExactly(utf8("stuck payload"));
        assertThat(hb.startsOf("stuck-job")).isEqualTo(1);
        eventually().untilAsserted(() -> assertThat(b.maps().jobs().getValues(wb.id())).containsExactly("stuck-job"));
    }

    // ------------------------------------------------------------------ 4. bad data

    @Test
    void corruptRecordsAndUnparsableMapValuesAreLoggedAndSkippedAndTheSweepsKeepRunning() throws Exception {
        String pool = pool("bad-data");
        LogCapture log = LogCapture.install();
        undo.add(log::close);
        KeyHasher deadOnNewest = (k, n) -> k.startsWith("dead") ? n - 1 : 0;
        Node a = join(pool, o -> o.hasher(deadOnNewest));
        Node b = join(pool, o -> o.hasher(deadOnNewest));
        Handler ha = new Handler();
        Worker wa = a.addWorker(ha);
        awaitActiveWorkers(1, a, b);
        a.dispatchJob("before", utf8("x"));

        // corrupt records: pool stream (truncated key, no Pulse fields), worker stream (no envelope,
        // envelope around a truncated job, no Pulse fields)
        REDIS.cli().xadd(poolStreamKey(pool), Map.of("n", "j", "p", "\u0009\u0000\u0000\u0000trunc"));
        REDIS.cli().xadd(poolStreamKey(pool), Map.of("junk", "no pulse fields"));
        String workerStream = workerStreamKey(wa.id());
        REDIS.cli().xadd(workerStream, Map.of("n", "j", "p", "garbage"));
        REDIS.cli().xadd(workerStream, Map.of("n", "j", "p",
                new String(PoolCodec.envelope(a.id(), utf8("\u0007\u0000\u0000\u0000abc")), StandardCharsets.UTF_8)));
        REDIS.cli().xadd(workerStream, Map.of("junk", "no pulse fields"));
        // unparsable map values, written through replicated maps so that every replica sees them
        String expiredGuard = Long.toString(PoolClock.nowNanos() - TimeUnit.HOURS.toNanos(1));
        try (ReplicatedMap workers = poolMap(GoKeys.workersMap(pool));
                ReplicatedMap keepAlives = poolMap(GoKeys.workerKeepAliveMap(pool));
                ReplicatedMap jobs = poolMap(GoKeys.jobsMap(pool));
                ReplicatedMap nodeKeepAlives = poolMap(GoKeys.nodeKeepAliveMap(pool));
                ReplicatedMap pending = poolMap(GoKeys.pendingMap(pool))) {
            workers.set("ghost-1", "not-a-creation-time");
            keepAlives.set("ghost-1", "not-a-keep-alive");
            jobs.set("ghost-2", "{{{ not a json list");
            nodeKeepAlives.set("ghost-node", "yesterday");
            pending.set("odd-guard", "not-a-deadline");
            pending.set("expired-guard", expiredGuard);
        }
        long injected = System.nanoTime();

        a.dispatchJob("after", utf8("y"));
        assertThat(ha.running).containsOnlyKeys("before", "after");
        eventually().untilAsserted(() -> {
            assertThat(unackedPoolEvents(pool)).isZero();
            assertThat(inRedisMap(GoKeys.workersMap(pool), "ghost-1")).isFalse();
            assertThat(inRedisMap(GoKeys.workerKeepAliveMap(pool), "ghost-1")).isFalse();
            assertThat(inRedisMap(GoKeys.jobsMap(pool), "ghost-2")).isFalse();
            assertThat(inRedisMap(GoKeys.nodeKeepAliveMap(pool), "ghost-node")).isFalse();
            assertThat(inRedisMap(GoKeys.pendingMap(pool), "expired-guard")).isFalse();
        });
        long ghostsMs = millisSince(injected);
        assertThat(REDIS.cli().hget(GoKeys.mapContent(GoKeys.pendingMap(pool)), "odd-guard"))
                .as("an unparsable guard is skipped, not deleted").isEqualTo("not-a-deadline");
        eventually().untilAsserted(() -> assertThat(log.text())
                .contains("dropped a malformed pool event")
                .contains("skipped a malformed worker event")
                .contains("skipped a malformed job record")
                .contains("skipped an entry without Pulse's fields n and p"));
        assertThat(ha.starts).extracting(Job::key).containsExactly("before", "after");

        // the sweeps still work: a worker that stops keeping alive is cleaned and its job moves
        Handler hb = new Handler();
        Worker wb = b.addWorker(hb);
        awaitBuckets(List.of(wa.id(), wb.id()), a, b);
        a.dispatchJob("dead-job", utf8("moved"));
        assertThat(hb.running).containsOnlyKeys("dead-job");
        long stopped = System.nanoTime();
        wb.retire();
        eventually().untilAsserted(() -> {
            assertThat(ha.running).containsKey("dead-job");
            assertThat(inRedisMap(GoKeys.workersMap(pool), wb.id())).isFalse();
            assertThat(inRedisMap(GoKeys.workerKeepAliveMap(pool), wb.id())).isFalse();
            assertThat(inRedisMap(GoKeys.jobsMap(pool), wb.id())).isFalse();
        });
        long deadMs = millisSince(stopped);
        assertThat(ha.running.get("dead-job").requeued()).isTrue();
        assertThat(ha.running.get("dead-job").payload()).containsExactly(utf8("moved"));
        a.dispatchJob("last", utf8("z"));
        assertThat(ha.running).containsOnlyKeys("before", "after", "dead-job", "last");
        System.out.printf("[bad-data] ghost entries swept %d ms after injection; dead worker detected and its job "
                + "restarted %d ms after its keep-alive stopped (workerTtl %d ms)%n", ghostsMs, deadMs, TTL.toMillis());
    }

    // ------------------------------------------------------------------ 5. Go failure scenarios 

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

    /** One node, one worker, three jobs; some keys are then taken out of the worker's job list. */
    private record OrphanCase(String name, String pool, Node node, Worker worker, Handler handler, List<String> orphaned) {
    }

    private OrphanCase orphanCase(String name, int orphans) {
        String pool = pool("orphans-" + name);
        Node node = join(pool);
        Handler handler = new Handler();
        Worker worker = node.addWorker(handler);
        List<String> keys = List.of("job1", "job2", "job3");
        for (String key : keys) {
            node.dispatchJob(key, utf8("payload of " + key));
        }
        eventually().untilAsserted(() -> assertThat(node.maps().jobs().getValues(worker.id()))
                .containsExactlyInAnyOrderElementsOf(keys));
        return new OrphanCase(name, pool, node, worker, handler, keys.subList(0, orphans));
    }

    @Test
    void orphanedPayloadsAreRequeuedAndOwnedAgainWhetherNoneSomeOrAllAreOrphaned() {
        List<OrphanCase> cases = List.of(orphanCase("none", 0), orphanCase("some", 1), orphanCase("all", 3));
        List<String> keys = List.of("job1", "job2", "job3");
        long orphanedAt = System.nanoTime();
        for (OrphanCase c : cases) {
            if (!c.orphaned().isEmpty()) {
                try (ReplicatedMap jobs = poolMap(GoKeys.jobsMap(c.pool()))) {
                    jobs.removeValues(c.worker().id(), c.orphaned().toArray(new String[0]));
                }
            }
            for (String key : keys) {
                assertThat(c.node().jobPayload(key)).as("payload of %s kept", key).isPresent();
            }
        }

        Map<String, Long> recoveredMs = new ConcurrentHashMap<>();
        eventually().untilAsserted(() -> {
            for (OrphanCase c : cases) {
                assertThat(c.node().maps().jobs().getValues(c.worker().id())).as("job list of the worker (%s)", c.name())
                        .containsExactlyInAnyOrderElementsOf(keys);
                recoveredMs.computeIfAbsent(c.name(), n -> millisSince(orphanedAt));
            }
        });
        System.out.printf("[orphans] job lists complete again after (ms): %s (orphan grace %d ms)%n", recoveredMs,
                Math.max(2 * TTL.toMillis(), ACK_GRACE.toMillis()));
        for (OrphanCase c : cases) {
            assertThat(c.handler().running).as("running (%s)", c.name()).containsOnlyKeys(keys.toArray(new String[0]));
            for (String key : keys) {
                assertThat(c.node().jobPayload(key)).hasValueSatisfying(v -> assertThat(v)
                        .containsExactly(utf8("payload of " + key)));
            }
        }
        assertThat(cases.get(0).handler().starts).hasSize(3);
    }

    @Test
    void orphanedPayloadOfAJobNobodyRunsAnyMoreIsRequeuedAndRestarted() {
        String pool = pool("orphan-restart");
        Node node = join(pool);
        Handler handler = new Handler();
        Worker worker = node.addWorker(handler);
        node.dispatchJob("job", utf8("kept payload"));

        // the worker lets go of the job (stop called, job list updated) but nobody requeues it
        long releasedAt = System.nanoTime();
        worker.release("job", SHUTDOWN_TTL);
        assertThat(handler.stops).containsExactly("job");
        assertThat(node.jobPayload("job")).isPresent();

        eventually().untilAsserted(() -> {
            assertThat(handler.running).containsOnlyKeys("job");
            assertThat(node.maps().jobs().getValues(worker.id())).containsExactly("job");
        });
        System.out.printf("[orphan-restart] orphaned job restarted %d ms after it was let go%n",
                millisSince(releasedAt));
        assertThat(handler.startsOf("job")).isEqualTo(2);
        assertThat(handler.running.get("job").requeued()).isTrue();
        assertThat(handler.running.get("job").payload()).containsExactly(utf8("kept payload"));
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

    @Test
    void rebalanceMovesAJobToANewlyAddedWorkerWithItsPayloadUnchanged() {
        String pool = pool("rebalance");
        Node a = join(pool, o -> o.hasher((k, n) -> n - 1));
        Node b = join(pool, o -> o.hasher((k, n) -> n - 1));
        Handler h1 = new Handler();
        Worker w1 = a.addWorker(h1);
        awaitActiveWorkers(1, a, b);
        byte[] payload = {0, 1, (byte) 0xfe, (byte) 0xc3, 0x28, 'x'};
        a.dispatchJob("rebalance-job", payload);
        eventually().untilAsserted(() -> assertThat(b.maps().jobs().getValues(w1.id())).containsExactly("rebalance-job"));

        long added = System.nanoTime();
        Handler h2 = new Handler();
        Worker w2 = b.addWorker(h2);

        eventually().untilAsserted(() -> {
            assertThat(w1.jobKeys()).isEmpty();
            assertThat(w2.jobKeys()).containsExactly("rebalance-job");
            for (Node node : List.of(a, b)) {
                assertThat(node.maps().jobs().getValues(w1.id())).isEmpty();
                assertThat(node.maps().jobs().getValues(w2.id())).containsExactly("rebalance-job");
            }
        });
        System.out.printf("[rebalance] job moved to the new worker %d ms after it was added%n", millisSince(added));
        assertThat(a.jobPayload("rebalance-job")).hasValueSatisfying(v -> assertThat(v).containsExactly(payload));
        assertThat(h1.stops).containsExactly("rebalance-job");
        assertThat(h2.starts).singleElement().satisfies(job -> {
            assertThat(job.requeued()).isTrue();
            assertThat(job.payload()).containsExactly(payload);
        });
        assertThat(h1.startsOf("rebalance-job")).isEqualTo(1);
    }

    // ------------------------------------------------------------------ 6. weaknesses of the Go pool

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

    /** P7: a start nobody could route for several grace periods still starts once a worker joins. */
    @Test
    void aStartEventThatWaitsLongForAWorkerIsNeverDropped() throws Exception {
        String pool = pool("long-wait");
        Node node = join(pool);
        CompletableFuture<Void> dispatch = node.dispatchJobAsync("patient", utf8("waited"));
        long dispatchedAt = System.nanoTime();

        Throwable outcome = dispatch.handle((v, e) -> e == null ? null : Futures.unwrap(e)).get(60, TimeUnit.SECONDS);
        assertThat(outcome).as("the dispatch times out: nobody can run it").isInstanceOf(PulseException.class)
                .isNotInstanceOfAny(JobExistsException.class, JobStartException.class);
        Thread.sleep(Math.max(0, 3 * ACK_GRACE.toMillis() + 500 - millisSince(dispatchedAt))); // let it wait long
        Handler handler = new Handler();
        long added = System.nanoTime();
        node.addWorker(handler);

        eventually().until(() -> handler.running.containsKey("patient"));
        System.out.printf("[long-wait] start event waited %d ms without a worker; started %d ms after one joined%n",
                TimeUnit.NANOSECONDS.toMillis(added - dispatchedAt), millisSince(added));
        assertThat(handler.running.get("patient").payload()).containsExactly(utf8("waited"));
        eventually().until(() -> unackedPoolEvents(pool) == 0);
        assertThat(handler.startsOf("patient")).isEqualTo(1);
    }

    /** P14: every node scans for orphans, but the orphan is requeued by one of them only. */
    @Test
    void anOrphanedPayloadIsRequeuedOnceNotOncePerNode() throws Exception {
        String pool = pool("orphan-once");
        List<Node> three = List.of(join(pool), join(pool), join(pool));
        Ledger ledger = new Ledger();
        List<Handler> handlers = new ArrayList<>();
        for (Node node : three) {
            Handler h = new Handler(ledger);
            handlers.add(h);
            node.addWorker(h);
        }
        awaitActiveWorkers(3, three.toArray(new Node[0]));
        // a second consumer group that reads nothing keeps every pool event from being trimmed
        REDIS.cli().xgroupCreate(XReadArgs.StreamOffset.from(poolStreamKey(pool), "0-0"), "observer",
                XGroupCreateArgs.Builder.mkstream(true));
        // all nodes scan far more often than every workerTtl, so their scans race once the grace is over
        AtomicBoolean scanning = new AtomicBoolean(true);
        undo.add(() -> scanning.set(false));
        Future<?> scans = THREADS.submit(() -> {
            while (scanning.get()) {
                for (Node node : three) {
                    node.maintenance().submit(node.maintenance()::requeueOrphans);
                }
                Thread.sleep(20);
            }
            return null;
        });

        long orphanedAt = System.nanoTime();
        try (ReplicatedMap payloads = poolMap(GoKeys.payloadsMap(pool))) {
            payloads.set("orphan", "orphan payload");
        }
        eventually().until(() -> handlers.stream().mapToLong(h -> h.startsOf("orphan")).sum() >= 1);
        long startedMs = millisSince(orphanedAt);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> startEventsOf(pool, "orphan") == 1);
        scanning.set(false);
        scans.get(30, TimeUnit.SECONDS);

        System.out.printf("[orphan-once] orphan started %d ms after it appeared (grace %d ms); requeued %d time(s) "
                + "by 3 nodes%n", startedMs, Math.max(2 * TTL.toMillis(), ACK_GRACE.toMillis()),
                startEventsOf(pool, "orphan"));
        assertThat(handlers.stream().mapToLong(h -> h.startsOf("orphan")).sum()).isEqualTo(1);
        assertThat(ledger.executing.get("orphan")).hasSize(1);
        assertThat(handlers.stream().filter(h -> h.running.containsKey("orphan")).findFirst().orElseThrow()
                .running.get("orphan").payload()).containsExactly(utf8("orphan payload"));
    }

    /** The start events for {@code key} in the pool stream (an observer group keeps them from trimming). */
    private static long startEventsOf(String pool, String key) {
        String prefix = new String(PoolCodec.jobKey(key), StandardCharsets.UTF_8);
        List<StreamMessage<String, String>> all = REDIS.cli().xrange(poolStreamKey(pool), Range.create("-", "+"));
        return all.stream().filter(m -> "j".equals(m.getBody().get("n")))
                .filter(m -> m.getBody().getOrDefault("p", "").startsWith(prefix)).count();
    }

    /**
     * P12: a failing stop neither hides the other jobs' requeues nor makes close wait the whole
     * workerShutdownTtl.
     */
    @Test
    void closeRequeuesEveryJobEvenWhenSomeStopsFailAndDoesNotWaitTheShutdownTtl() throws Exception {
        String pool = pool("failing-stops");
        Duration shutdownTtl = Duration.ofSeconds(5);
        Node a = join(pool, o -> o.hasher((k, n) -> 0).workerShutdownTtl(shutdownTtl));
        Node b = join(pool, o -> o.hasher((k, n) -> 0).workerShutdownTtl(shutdownTtl));
        Handler failing = new Handler();
        failing.failStop = key -> key.startsWith("fail");
        Worker wa = a.addWorker(failing);
        Handler hb = new Handler();
        Worker wb = b.addWorker(hb);
        awaitBuckets(List.of(wa.id(), wb.id()), a, b);
        List<String> keys = List.of("fail-1", "ok-1", "fail-2", "ok-2");
        for (String key : keys) {
            a.dispatchJob(key, utf8("payload of " + key));
        }
        assertThat(failing.running).containsOnlyKeys(keys.toArray(new String[0]));

        long start = System.nanoTime();
        long closeMs = timed(a::close);
        eventually().untilAsserted(() -> assertThat(hb.running).containsOnlyKeys(keys.toArray(new String[0])));
        System.out.printf("[failing-stops] close() with 2 of 4 stops failing returned after %d ms (workerShutdownTtl "
                + "%d ms); all 4 jobs running on the other node %d ms after close began%n", closeMs,
                shutdownTtl.toMillis(), millisSince(start));

        assertThat(Duration.ofMillis(closeMs)).isLessThan(shutdownTtl);
        assertThat(failing.stops).containsExactlyInAnyOrderElementsOf(keys);
        for (String key : keys) {
            assertThat(hb.startsOf(key)).as("starts of %s", key).isEqualTo(1);
            assertThat(hb.running.get(key).requeued()).isTrue();
        }
    }

    /**
     * P15: while a closing node requeues the jobs of its workers (marked "-"), another node sweeping for
     * dead workers does not requeue them a second time.
     */
    @Test
    void jobsOfAClosingNodeAreRequeuedOnceEvenWhileAnotherNodeSweepsForDeadWorkers() throws Exception {
        String pool = pool("close-while-sweeping");
        Node a = join(pool, o -> o.hasher((k, n) -> 0));
        Node b = join(pool, o -> o.hasher((k, n) -> 0));
        REDIS.cli().xgroupCreate(XReadArgs.StreamOffset.from(poolStreamKey(pool), "0-0"), "observer",
                XGroupCreateArgs.Builder.mkstream(true));
        Handler ha = new Handler();
        Worker wa = a.addWorker(ha);
        Handler hb = new Handler();
        Worker wb = b.addWorker(hb);
        awaitBuckets(List.of(wa.id(), wb.id()), a, b);
        List<String> keys = IntStream.range(0, 10).mapToObj(i -> "leaving-" + i).collect(Collectors.toList());
        for (String key : keys) {
            a.dispatchJob(key, utf8("payload of " + key));
        }
        assertThat(ha.running).hasSize(keys.size());
        AtomicBoolean sweeping = new AtomicBoolean(true);
        AtomicInteger sweeps = new AtomicInteger();
        undo.add(() -> sweeping.set(false));
        Future<?> hammer = THREADS.submit(() -> {
            while (sweeping.get()) {
                b.maintenance().removeDeadWorkers();
                sweeps.incrementAndGet();
                Thread.sleep(2);
            }
            return null;
        });

        long start = System.nanoTime();
        timed(a::close);
        eventually().untilAsserted(() -> assertThat(hb.running).containsOnlyKeys(keys.toArray(new String[0])));
        long movedMs = millisSince(start);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> keys.stream().allMatch(k -> startEventsOf(pool, k) == 2));
        sweeping.set(false);
        hammer.get(30, TimeUnit.SECONDS);
        System.out.printf("[close-while-sweeping] 10 jobs of a closing node running elsewhere after %d ms; %d sweeps "
                + "of the other node meanwhile%n", movedMs, sweeps.get());

        for (String key : keys) {
            assertThat(startEventsOf(pool, key)).as("start events of %s (dispatch + one requeue)", key).isEqualTo(2);
            assertThat(hb.startsOf(key)).isEqualTo(1);
        }
        assertThat(sweeps.get()).isPositive();
    }

    /** P16: shutdown does not wait forever for a node that is gone. */
    @Test
    void shutdownEndsWithinTheWorkerShutdownTtlEvenWhenAnotherNodeWasKilled() throws Exception {
        String pool = pool("shutdown-dead-node");
        Node node = join(pool);
        Handler handler = new Handler();
        node.addWorker(handler);
        Process victim = startWorkerProcess(pool);
        undo.add(victim::destroyForcibly);
        List<String> victimWorkers = awaitReady(victim);
        assertThat(victimWorkers).hasSize(1);
        awaitActiveWorkers(2, node);
        node.dispatchJob("job", utf8("x"));

        victim.destroyForcibly();
        assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long shutdownMs = timed(node::shutdown);
        System.out.printf("[shutdown-dead-node] shutdown() returned after %d ms with a killed node in the pool "
                + "(workerShutdownTtl %d ms)%n", shutdownMs, SHUTDOWN_TTL.toMillis());

        assertThat(Duration.ofMillis(shutdownMs)).isLessThan(SHUTDOWN_TTL.plusSeconds(3));
        assertThat(node.isShutdown()).isTrue();
        assertThat(REDIS.cli().hkeys(GoKeys.mapContent(GoKeys.workersMap(pool))))
                .as("workers map destroyed despite the dead node's worker").isSubsetOf("=rev", "=kind");
        assertThat(REDIS.cli().exists(poolStreamKey(pool))).isZero();
    }

    private static Process startWorkerProcess(String pool) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), WorkerProcess.class.getName(),
                REDIS.uri(), pool, "1", Long.toString(TTL.toMillis()), Long.toString(ACK_GRACE.toMillis()))
                .redirectErrorStream(true)
                .start();
    }

    /** Waits for the process's {@code READY <worker ids>} line, then keeps draining its output. */
    private static List<String> awaitReady(Process process) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<List<String>> ready = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("READY")) {
                        return Arrays.asList(line.substring("READY".length()).trim().split(" "));
                    }
                }
            } catch (java.io.IOException e) {
                // the process died before it was ready
            }
            return List.<String>of();
        }, THREADS);
        List<String> ids = ready.get(90, TimeUnit.SECONDS);
        THREADS.submit(() -> {
            try {
                while (out.readLine() != null) {
                    // drained so the process never blocks on a full pipe
                }
            } catch (java.io.IOException e) {
                // the process died
            }
            return null;
        });
        return ids;
    }
}
