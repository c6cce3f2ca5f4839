package io.pulse.pool;

import static io.pulse.testing.Eventually.eventually;
import static io.pulse.pool.PoolFixture.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.core.internal.Futures;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.rmap.internal.StateMaps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Nodes configured with different worker TTLs share one pool: each node and worker is judged by the
 * TTL its own node published, so no live node is taken for dead, and a dispatch whose job started
 * never reports failure, even when its result is lost.
 */
class PoolMixedTtlTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private final PoolFixture fixture = new PoolFixture(REDIS,
            b -> b.jobSinkBlockDuration(Duration.ofMillis(200)).workerShutdownTtl(Duration.ofSeconds(2)));

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void twoHundredDispatchesFromADefaultTtlProducerToTwoSecondTtlWorkersOverThirtySecondsAllSucceed() throws Exception {
        String pool = RedisServerExtension.uniqueName("mixed-ttl");
        Node a = fixture.join(pool, b -> b.workerTtl(Duration.ofSeconds(2)).ackGracePeriod(Duration.ofSeconds(1)));
        Node b = fixture.join(pool, o -> o.workerTtl(Duration.ofSeconds(2)).ackGracePeriod(Duration.ofSeconds(1)));
        Node producer = fixture.join(pool, Node.Builder::clientOnly); // workerTtl 30 s: keep-alive every 15 s
        RecordingHandler ha = new RecordingHandler();
        RecordingHandler hb = new RecordingHandler();
        a.addWorker(ha);
        b.addWorker(hb);
        eventually(Duration.ofSeconds(30)).until(() -> a.view().activeWorkers().size() == 2 && b.view().activeWorkers().size() == 2);

        Map<String, Throwable> failures = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long period = TimeUnit.SECONDS.toNanos(30) / 200;
        for (int i = 0; i < 200; i++) {
            long due = start + i * period;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            try {
                producer.dispatchJob("mixed-" + i, utf8("payload " + i));
            } catch (RuntimeException e) {
                failures.put("mixed-" + i, Futures.unwrap(e));
            }
        }
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        System.out.printf("[mixed-ttl] %d of 200 dispatches over %d ms succeeded; producer stream present: %s%n",
                200 - failures.size(), tookMs, REDIS.cli().exists(GoKeys.streamKey(GoKeys.nodeStream(pool, producer.id()))));
        assertThat(failures).as("failed dispatches").isEmpty();
        assertThat(ha.running.size() + hb.running.size()).isEqualTo(200);
        assertThat(REDIS.cli().exists(GoKeys.streamKey(GoKeys.nodeStream(pool, producer.id()))))
                .as("the producer's node stream was never taken for a dead node's").isEqualTo(1L);
        assertThat(REDIS.cli().hexists(GoKeys.mapContent(GoKeys.nodeKeepAliveMap(pool)), producer.id())).isTrue();
    }

    @Test
    void nodesWithDifferentTtlsAgreeOnTheLiveWorkersLongAfterTheShorterTtl() throws Exception {
        String pool = RedisServerExtension.uniqueName("agree");
        Node fast = fixture.join(pool, o -> o.workerTtl(Duration.ofSeconds(2)).ackGracePeriod(Duration.ofSeconds(1)));
        Node slow = fixture.join(pool, o -> o.workerTtl(Duration.ofSeconds(12)).ackGracePeriod(Duration.ofSeconds(1)));
        Worker wf = fast.addWorker(new RecordingHandler());
        Worker ws = slow.addWorker(new RecordingHandler()); // keep-alive every 6 s, three times the fast TTL
        List<String> both = new ArrayList<>(List.of(wf.id(), ws.id()));
        eventually(Duration.ofSeconds(30)).until(() -> fast.view().activeWorkers().size() == 2 && slow.view().activeWorkers().size() == 2);

        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(13);
        int checks = 0;
        while (System.nanoTime() < until) {
            assertThat(fast.view().activeWorkers()).as("workers the 2 s node sees").containsExactlyInAnyOrderElementsOf(both);
            assertThat(slow.view().activeWorkers()).as("workers the 12 s node sees").containsExactlyInAnyOrderElementsOf(both);
            Thread.sleep(50);
            checks++;
        }
        assertThat(REDIS.cli().hexists(GoKeys.mapContent(GoKeys.nodeKeepAliveMap(pool)), slow.id())).isTrue();
        assertThat(REDIS.cli().exists(GoKeys.streamKey(GoKeys.nodeStream(pool, slow.id())))).isEqualTo(1L);
        assertThat(ws.isStopped()).isFalse();
        System.out.printf("[agree] %d checks over 13 s: both nodes always saw both workers%n", checks);
    }

    @Test
    void aNodeThatPublishesNoTtlIsJudgedByGoPulsesDefault() {
        String pool = RedisServerExtension.uniqueName("go-node");
        fixture.join(pool, o -> o.workerTtl(Duration.ofSeconds(1)).ackGracePeriod(Duration.ofSeconds(1)));
        String keepAlives = GoKeys.mapContent(GoKeys.nodeKeepAliveMap(pool));
        long now = PoolClock.nowNanos();
        // as a Go node at its default TTL leaves it: written 10 s ago, no published TTL
        ReplicatedMap goView = StateMaps.join(GoKeys.nodeKeepAliveMap(pool), REDIS.newPulseRedis());
        goView.set("GONODE", Long.toString(now - TimeUnit.SECONDS.toNanos(10)));
        goView.set("DEADGONODE", Long.toString(now - TimeUnit.SECONDS.toNanos(31)));

        eventually(Duration.ofSeconds(30)).until(() -> !REDIS.cli().hexists(keepAlives, "DEADGONODE"));
        assertThat(REDIS.cli().hexists(keepAlives, "GONODE")).as("a Go node silent for 10 s is alive").isTrue();
    }

    @Test
    void aDispatchWhoseStartResultIsLostSucceedsBecauseTheJobsMapListsTheJob() {
        String pool = RedisServerExtension.uniqueName("lost-result");
        Node worker = fixture.join(pool, o -> o.workerTtl(Duration.ofSeconds(2)).ackGracePeriod(Duration.ofSeconds(1)));
        Node producer = fixture.join(pool, o -> o.clientOnly().ackGracePeriod(Duration.ofSeconds(1)));
        String producerStream = GoKeys.streamKey(GoKeys.nodeStream(pool, producer.id()));
        worker.addWorker(new JobHandler() {
            @Override
            public void start(Job job) {
                REDIS.cli().del(producerStream); // the start result will find no stream and be dropped
            }

            @Override
            public void stop(String key) {
            }
        });
        eventually(Duration.ofSeconds(30)).until(() -> worker.view().activeWorkers().size() == 1);

        long start = System.nanoTime();
        producer.dispatchJob("lost", utf8("x"));

        long tookMs = PoolFixture.millisSince(start);
        System.out.printf("[lost-result] dispatch whose result was dropped returned after %d ms%n", tookMs);
        assertThat(worker.jobKeys()).contains("lost");
        assertThat(tookMs).as("it waited for the result until the time-out, then asked Redis").isGreaterThanOrEqualTo(1900);
    }
}
