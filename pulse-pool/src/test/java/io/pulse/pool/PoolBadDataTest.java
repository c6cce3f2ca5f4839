package io.pulse.pool;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.rmap.ReplicatedMap;
import io.pulse.testing.GoKeys;
import io.pulse.testing.LogCapture;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Corrupt stream records and unparsable map values: logged, skipped, and the sweeps keep running. */
class PoolBadDataTest extends PoolTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

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
}
