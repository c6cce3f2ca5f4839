package io.pulse.pool;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.Eventually;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.rmap.internal.StateMaps;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Routing reads a cached bucket list and job owners; the cache never shows what a fresh computation
 * would not: it follows every change of the maps it is computed from, and a worker whose keep-alive
 * grows older than its TTL leaves the list although no map changed.
 */
class PoolViewCacheTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    /** The ghost worker's TTL: it ages out within the test. */
    private static final Duration TTL = Duration.ofSeconds(2);

    // the node's own TTL is long: its dead-worker sweep (which would write the maps) starts late
    private final PoolFixture fixture = new PoolFixture(REDIS, b -> b.workerTtl(Duration.ofSeconds(20)));

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void aWorkerWhoseKeepAliveAgesPastItsTtlLeavesTheBucketListWithoutAnyMapChange() {
        String pool = RedisServerExtension.uniqueName("view-expiry");
        Node node = fixture.join(pool); // no worker of its own: nothing writes the worker maps but this test
        String ghost = "01" + "G".repeat(24);
        String keepAlive = Long.toString(PoolClock.nowNanos() - TTL.toNanos() + 1_500_000_000L);
        // a worker of another process that stopped keeping alive: fresh for about one and a half seconds more
        // (judged by the TTL it published, as a Java node's worker is)
        try (ReplicatedMap workers = StateMaps.join(GoKeys.workersMap(pool), REDIS.newPulseRedis());
                ReplicatedMap alive = StateMaps.join(GoKeys.workerKeepAliveMap(pool), REDIS.newPulseRedis());
                ReplicatedMap ttls = StateMaps.join(GoKeys.keepAliveTtlMap(pool), REDIS.newPulseRedis())) {
            ttls.setAndWait(ghost, Long.toString(TTL.toNanos()));
            alive.setAndWait(ghost, keepAlive);
            workers.setAndWait(ghost, Long.toString(PoolClock.nowNanos()));
        }
        eventually(Duration.ofSeconds(10)).until(() -> node.view().activeWorkers().equals(List.of(ghost)));
        long ttlChanges = StateMaps.changes(node.maps().keepAliveTtls());
        long workerChanges = StateMaps.changes(node.maps().workers());
        long keepAliveChanges = StateMaps.changes(node.maps().workerKeepAlives());

        eventually(Duration.ofSeconds(10)).until(() -> node.view().activeWorkers().isEmpty());

        assertThat(StateMaps.changes(node.maps().workers())).as("changes of the workers map").isEqualTo(workerChanges);
        assertThat(StateMaps.changes(node.maps().workerKeepAlives())).as("changes of the keep-alives")
                .isEqualTo(keepAliveChanges);
        assertThat(StateMaps.changes(node.maps().keepAliveTtls())).as("changes of the TTLs").isEqualTo(ttlChanges);
        assertThat(node.maps().workerKeepAlives().get(ghost)).contains(keepAlive);
    }

    @Test
    void jobOwnersFollowTheJobsMapAtOnce() {
        String pool = RedisServerExtension.uniqueName("view-owners");
        Node node = fixture.join(pool);
        Worker worker = node.addWorker(new RecordingHandler());
        eventually(Duration.ofSeconds(10)).until(() -> node.view().activeWorkers().contains(worker.id()));
        PoolView view = node.view();
        assertThat(view.activeOwner("k1")).isNull();

        node.maps().jobs().setAndWait(worker.id(), "[\"k1\",\"k2\"]");
        assertThat(view.activeOwner("k1")).isEqualTo(worker.id());
        assertThat(view.activeOwner("k2")).isEqualTo(worker.id());

        node.maps().jobs().setAndWait(worker.id(), "[\"k2\"]");
        assertThat(view.activeOwner("k1")).isNull();
        assertThat(view.activeOwner("k2")).isEqualTo(worker.id());
    }

    @Test
    void ownersOfSeveralWorkersFollowEachListAndTheOldestOwnerWins() {
        String pool = RedisServerExtension.uniqueName("view-owners-many");
        Node node = fixture.join(pool);
        Worker older = node.addWorker(new RecordingHandler());
        Worker newer = node.addWorker(new RecordingHandler());
        Eventually.eventually(Duration.ofSeconds(10))
                .until(() -> node.view().activeWorkers().equals(List.of(older.id(), newer.id())));
        PoolView view = node.view();
        node.maps().jobs().setAndWait(older.id(), "[\"a\",\"shared\"]");
        node.maps().jobs().setAndWait(newer.id(), "[\"b\",\"shared\"]");
        assertThat(view.activeOwner("shared")).isEqualTo(older.id());
        assertThat(view.activeOwner("b")).isEqualTo(newer.id());

        // only the older worker's list changes: the newer one's keys are still found, the shared key moves
        node.maps().jobs().setAndWait(older.id(), "[\"a\"]");
        assertThat(view.activeOwner("shared")).isEqualTo(newer.id());
        assertThat(view.activeOwner("b")).isEqualTo(newer.id());
        assertThat(view.activeOwner("a")).isEqualTo(older.id());
        node.maps().jobs().setAndWait(newer.id(), "c,shared"); // a list written before lists were JSON
        assertThat(view.activeOwner("b")).isNull();
        assertThat(view.activeOwner("c")).isEqualTo(newer.id());
    }
}
