package io.pulse.pool;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Closing and shutting down under trouble: handlers whose stop hangs or fails, another node sweeping or
 * killed meanwhile; every job is requeued once and nothing waits beyond the worker shutdown TTL.
 */
class PoolShutdownTest extends PoolTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

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
