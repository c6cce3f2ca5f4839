package io.pulse.pool;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rebalancing when workers join: exactly the jobs the jump hash now assigns to a new worker move, with
 * their payloads unchanged.
 */
class PoolRebalanceTest extends PoolTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

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
}
