package io.pulse.pool;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulse.core.PulseRedis;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a node reports (its workers, the pool's workers, job keys and payloads, including binary payloads
 * and odd keys) and how it treats bad input: rejected at the call, before anything is queued.
 */
class PoolNodeBasicsTest extends PoolTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

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
