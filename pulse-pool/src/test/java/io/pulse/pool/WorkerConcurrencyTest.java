package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.Eventually;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The workers of a node share its one read of its streams: a stop that reaches a worker while its job
 * is still starting is applied once the start returned, and many workers need no more connections.
 */
class WorkerConcurrencyTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private final PoolFixture fixture = new PoolFixture(REDIS, b -> b);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void tearDown() throws Exception {
        release.countDown();
        fixture.close();
    }

    /** Blocks in {@code start} until the test releases it; notes a stop that comes during a start. */
    private final class StuckHandler implements JobHandler {
        final CountDownLatch entered = new CountDownLatch(1);
        final AtomicBoolean starting = new AtomicBoolean();
        final AtomicBoolean stoppedWhileStarting = new AtomicBoolean();
        final List<String> starts = new CopyOnWriteArrayList<>();
        final List<String> stops = new CopyOnWriteArrayList<>();

        @Override
        public void start(Job job) {
            starting.set(true);
            starts.add(job.key());
            entered.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                starting.set(false);
            }
        }

        @Override
        public void stop(String key) {
            stoppedWhileStarting.compareAndSet(false, starting.get());
            stops.add(key);
        }
    }

    @Test
    void aStopArrivingWhileItsJobStartsIsAppliedOnceTheStartReturned() throws Exception {
        String pool = RedisServerExtension.uniqueName("stop-while-start");
        Node node = fixture.join(pool);
        StuckHandler handler = new StuckHandler();
        node.addWorker(handler);
        Eventually.eventually(Duration.ofSeconds(10)).until(() -> node.view().activeWorkers().size() == 1);

        CompletableFuture<Void> dispatch = node.dispatchJobAsync("k", PoolFixture.utf8("p"));
        assertThat(handler.entered.await(10, TimeUnit.SECONDS)).isTrue();
        // the job is listed before its handler starts, so the stop is routed to the worker at once
        node.stopJob("k");
        Eventually.eventually(Duration.ofSeconds(10)).until(() -> node.router().pendingCount() == 2);
        release.countDown();

        dispatch.get(30, TimeUnit.SECONDS);
        Eventually.eventually(Duration.ofSeconds(20)).until(() -> handler.stops.equals(List.of("k")));
        Eventually.eventually(Duration.ofSeconds(10))
                .until(() -> REDIS.cli().hget(GoKeys.content(GoKeys.payloadsMap(pool)), "k") == null
                        && node.maps().jobs().getValues(node.workers().get(0).id()).isEmpty());
        assertThat(handler.stoppedWhileStarting).as("stop called during the start").isFalse();
        assertThat(handler.starts).containsExactly("k");
    }

    @Test
    void theWorkersOfANodeShareItsOneReadConnectionAndGetTheirJobsThroughIt() throws Exception {
        String pool = RedisServerExtension.uniqueName("one-read");
        Node node = fixture.join(pool);
        long connectionsBefore = settledConnectionCount();
        List<RecordingHandler> handlers = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 20; i++) {
            RecordingHandler handler = new RecordingHandler();
            handlers.add(handler);
            node.addWorker(handler);
        }
        Eventually.eventually(Duration.ofSeconds(10)).until(() -> node.view().activeWorkers().size() == 20);

        // a stream added to the node's read reconnects it once, and earlier tests' connections may still
        // be closing: compare counts that held still, and one connection per worker would show as 20
        assertThat(settledConnectionCount()).as("connections after adding 20 workers")
                .isLessThanOrEqualTo(connectionsBefore);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("pulse-reader-worker:"));
        List<CompletableFuture<Void>> dispatches = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 100; i++) {
            dispatches.add(node.dispatchJobAsync("job-" + i, PoolFixture.utf8("p")));
        }
        CompletableFuture.allOf(dispatches.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
        assertThat(handlers.stream().mapToInt(h -> h.starts.size()).sum()).isEqualTo(100);
        assertThat(handlers.stream().filter(h -> !h.starts.isEmpty()).count()).as("workers that started jobs")
                .isGreaterThan(10);
    }

    /** The server's client count once it stayed the same for half a second (at most 10 s). */
    private static long settledConnectionCount() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long last = connectionCount();
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            long now = connectionCount();
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }

    private static long connectionCount() {
        return REDIS.cli().clientList().lines().filter(l -> !l.isBlank()).count();
    }
}
