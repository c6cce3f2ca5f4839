package io.pulse.pool;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.pulse.core.PulseException;
import io.pulse.core.internal.Futures;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Orphaned job payloads and start events that wait for a worker: each is requeued and started once, never
 * dropped and never once per node.
 */
class PoolOrphanedPayloadTest extends PoolTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
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
}
