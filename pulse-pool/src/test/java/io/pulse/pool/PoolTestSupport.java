package io.pulse.pool;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.pulse.core.PulseRedis;
import io.pulse.core.internal.Futures;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.rmap.internal.StateMaps;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;

/**
 * What the pool tests share: nodes joined with short timings, each on a {@link PulseRedis} of its own as
 * if it ran in its own process, closed in parallel after each test (after the test's undo steps);
 * recording handlers; and names and counts read straight from Redis. Each concrete class brings its
 * own Redis ({@link #redis()}). Measured durations are printed on standard output
 * ({@code target/surefire-reports/*-output.txt}).
 */
abstract class PoolTestSupport {

    /** The Redis of the concrete test class. */
    abstract RedisServerExtension redis();

    static final Duration TTL = Duration.ofSeconds(2);
    static final Duration ACK_GRACE = Duration.ofSeconds(1);
    static final Duration SINK_BLOCK = Duration.ofMillis(200);
    static final Duration SHUTDOWN_TTL = Duration.ofSeconds(2);

    /** Daemon threads shared by every pool test class; idle ones end by themselves, so it is never shut down. */
    static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pool-test");
        t.setDaemon(true);
        return t;
    });

    final List<Node> nodes = new CopyOnWriteArrayList<>();
    final List<PulseRedis> redises = new CopyOnWriteArrayList<>();
    /** Run before the nodes close: releases blocked handlers and maintenance threads, kills processes. */
    final List<Runnable> undo = new CopyOnWriteArrayList<>();

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

    /**
     * A node builder with timings short enough for tests (keep-alive TTL, ack grace, sink block and shutdown
     * TTL of seconds, not Go's defaults); pool test classes that do not extend this class use it too.
     */
    static Node.Builder fast(String pool, PulseRedis redis) {
        return Node.builder(pool, redis).workerTtl(TTL).ackGracePeriod(ACK_GRACE).jobSinkBlockDuration(SINK_BLOCK)
                .workerShutdownTtl(SHUTDOWN_TTL);
    }

    PulseRedis newRedis() {
        PulseRedis redis = redis().newPulseRedis();
        redises.add(redis);
        return redis;
    }

    Node join(String pool) {
        return join(pool, b -> b);
    }

    Node join(String pool, UnaryOperator<Node.Builder> options) {
        Node node = options.apply(fast(pool, newRedis())).join();
        nodes.add(node);
        return node;
    }

    /** A replicated map of the pool joined on a connection of its own (closed by the caller). */
    ReplicatedMap poolMap(String mapName) {
        return StateMaps.join(mapName, newRedis());
    }

    static String pool(String base) {
        return RedisServerExtension.uniqueName(base);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    static String poolStreamKey(String pool) {
        return GoKeys.streamKey(GoKeys.poolStream(pool));
    }

    static String nodeStreamKey(String pool, String nodeId) {
        return GoKeys.streamKey(GoKeys.nodeStream(pool, nodeId));
    }

    static String workerStreamKey(String workerId) {
        return GoKeys.streamKey(GoKeys.workerStream(workerId));
    }

    boolean inRedisMap(String mapName, String key) {
        return redis().cli().hexists(GoKeys.mapContent(mapName), key);
    }

    long unackedPoolEvents(String pool) {
        return redis().cli().xpending(poolStreamKey(pool), GoKeys.POOL_SINK).getCount();
    }

    static void awaitBuckets(List<String> buckets, Node... all) {
        eventually().untilAsserted(() -> {
            for (Node node : all) {
                assertThat(node.view().activeWorkers()).as("bucket list of %s", node).containsExactlyElementsOf(buckets);
            }
        });
    }

    static void awaitActiveWorkers(int count, Node... all) {
        eventually().untilAsserted(() -> {
            for (Node node : all) {
                assertThat(node.view().activeWorkers()).as("active workers seen by %s", node).hasSize(count);
            }
        });
    }

    /** Blocks the node's maintenance thread (its keep-alive, sweeps and rebalancing) until the latch opens. */
    CountDownLatch freezeMaintenance(Node node) throws InterruptedException {
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
    static long timed(Runnable call) throws Exception {
        long start = System.nanoTime();
        THREADS.submit(call).get(60, TimeUnit.SECONDS);
        return millisSince(start);
    }

    /** Dispatches every key with at most {@code inFlight} dispatches waiting; returns the failures. */
    static Map<String, Throwable> dispatchAll(Node from, List<String> keys, int inFlight) throws Exception {
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

    static String payloadsHash(String pool) {
        return GoKeys.mapContent(GoKeys.payloadsMap(pool));
    }

    static String pendingHash(String pool) {
        return GoKeys.mapContent(GoKeys.pendingMap(pool));
    }

    /** The outcome of a dispatch: {@code null} on success, else the exception it failed with. */
    static Throwable outcome(CompletableFuture<Void> dispatch) throws Exception {
        return dispatch.handle((v, e) -> e == null ? null : Futures.unwrap(e)).get(60, TimeUnit.SECONDS);
    }

    record TwoNodes(Node first, Node second, Worker w1, Worker w2, Recorder h1, Recorder h2) {
    }

    /** Two nodes with one worker each, both workers active on both nodes. */
    TwoNodes twoNodes(String pool, UnaryOperator<Node.Builder> options) {
        Node first = join(pool, options);
        Node second = join(pool, options);
        Recorder h1 = new Recorder();
        Recorder h2 = new Recorder();
        Worker w1 = first.addWorker(h1);
        Worker w2 = second.addWorker(h2);
        awaitActiveWorkers(2, first, second);
        return new TwoNodes(first, second, w1, w2, h1, h2);
    }

    /** The start events for {@code key} in the pool stream (an observer group keeps them from trimming). */
    long startEventsOf(String pool, String key) {
        String prefix = new String(PoolCodec.jobKey(key), StandardCharsets.UTF_8);
        List<StreamMessage<String, String>> all = redis().cli().xrange(poolStreamKey(pool), Range.create("-", "+"));
        return all.stream().filter(m -> "j".equals(m.getBody().get("n")))
                .filter(m -> m.getBody().getOrDefault("p", "").startsWith(prefix)).count();
    }
}
