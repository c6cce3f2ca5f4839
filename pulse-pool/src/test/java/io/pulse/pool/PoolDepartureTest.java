package io.pulse.pool;

import static io.pulse.testing.Eventually.eventually;
import static io.pulse.pool.PoolFixture.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.rmap.internal.StateMaps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node that leaves while many jobs run moves only its own workers' jobs: its workers leave the
 * pool's view together, and the other nodes place jobs only for a settled view, so no other job
 * restarts and none of the moved ones starts twice.
 */
class PoolDepartureTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final int ROUNDS = 20;
    private static final int JOBS = 1000;

    // a TTL well above what a loaded machine may delay a keep-alive by: only departures change the view
    private final PoolFixture fixture = new PoolFixture(REDIS, b -> b.workerTtl(Duration.ofSeconds(6))
            .ackGracePeriod(Duration.ofSeconds(4)).jobSinkBlockDuration(Duration.ofMillis(200))
            .workerShutdownTtl(Duration.ofSeconds(5)));

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void aNodeWithTwoWorkersClosingWhileAThousandJobsRunMovesOnlyItsOwnJobsInEachOfTwentyRuns() throws Exception {
        String pool = RedisServerExtension.uniqueName("departure");
        Node a = fixture.join(pool);
        Node b = fixture.join(pool);
        Node producer = fixture.join(pool, Node.Builder::clientOnly);
        RecordingHandler.Runs runs = new RecordingHandler.Runs();
        Map<String, RecordingHandler> stay = new HashMap<>();
        for (Node node : List.of(a, b)) {
            for (int i = 0; i < 2; i++) {
                RecordingHandler h = new RecordingHandler(runs);
                stay.put(node.addWorker(h).id(), h);
            }
        }
        awaitView(4, a, b);
        List<String> keys = IntStream.range(0, JOBS).mapToObj(i -> "job-" + i).collect(Collectors.toList());
        dispatchAll(producer, keys);
        eventually(Duration.ofSeconds(30)).until(() -> unacked(pool) == 0);

        List<Integer> movedPerRound = new ArrayList<>();
        List<Integer> otherRestartsPerRound = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            // the leaving node's workers are the newest, so the jump hash moves none of the others' jobs
            Node leaving = fixture.join(pool);
            Map<String, RecordingHandler> all = new HashMap<>(stay);
            for (int i = 0; i < 2; i++) {
                RecordingHandler h = new RecordingHandler(runs);
                all.put(leaving.addWorker(h).id(), h);
            }
            awaitView(6, a, b, leaving);
            awaitPlacement(keys, all, a);
            Set<String> departing = new HashSet<>();
            all.forEach((worker, h) -> {
                if (!stay.containsKey(worker)) {
                    departing.addAll(h.running.keySet());
                }
            });
            Map<RecordingHandler, Integer> startsBefore = new HashMap<>();
            stay.values().forEach(h -> startsBefore.put(h, h.starts.size()));

            leaving.close();

            awaitPlacement(keys, stay, a);
            // let late moves show, if there were any
            eventually(Duration.ofSeconds(30)).until(() -> unacked(pool) == 0);
            Thread.sleep(300);
            Map<String, Integer> restarts = new HashMap<>();
            startsBefore.forEach((h, before) -> h.starts.subList(before, h.starts.size())
                    .forEach(s -> restarts.merge(s.key(), 1, Integer::sum)));
            Set<String> others = new HashSet<>(restarts.keySet());
            others.removeAll(departing);
            movedPerRound.add(restarts.size() - others.size());
            otherRestartsPerRound.add(others.size());
            assertThat(others).as("round %d: jobs of the remaining workers that restarted", round).isEmpty();
            assertThat(restarts.keySet()).as("round %d: moved jobs", round).isEqualTo(departing);
            assertThat(restarts).as("round %d: starts per moved job", round).allSatisfy((k, n) -> assertThat(n).isEqualTo(1));
        }
        System.out.printf("[departure] %d rounds of %d jobs: jobs moved per departure %s; other jobs restarted %s; "
                + "jobs that ran on two workers at once %d%n", ROUNDS, JOBS, movedPerRound, otherRestartsPerRound,
                runs.overlapped.size());
        assertThat(runs.overlapped).as("jobs that ran on two workers at once").isEmpty();
    }

    /**
     * As a Go node leaves: its workers are marked as leaving in separate writes a millisecond apart.
     * Its workers sit between the others in creation order, so the final set also moves some jobs of
     * the newest remaining worker; a node that acted on the half-departed set would move others too,
     * or move jobs twice. Each job restarts only if its final worker differs, and then exactly once.
     */
    @Test
    void workersMarkedLeavingAMillisecondApartMoveOnlyTheJobsTheFinalSetMoves() throws Exception {
        String pool = RedisServerExtension.uniqueName("staggered");
        Node a = fixture.join(pool);
        Node producer = fixture.join(pool, Node.Builder::clientOnly);
        RecordingHandler.Runs runs = new RecordingHandler.Runs();
        RecordingHandler ha = new RecordingHandler(runs);
        Worker wa = a.addWorker(ha);
        awaitView(1, a);
        List<String> keys = IntStream.range(0, 400).mapToObj(i -> "key-" + i).collect(Collectors.toList());
        dispatchAll(producer, keys);
        eventually(Duration.ofSeconds(30)).until(() -> unacked(pool) == 0);
        ReplicatedMap workersMap = StateMaps.join(GoKeys.workersMap(pool), REDIS.newPulseRedis());

        List<Integer> movedPerRound = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            Node leaving = fixture.join(pool);
            Map<String, RecordingHandler> all = new HashMap<>(Map.of(wa.id(), ha));
            List<String> leavingIds = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                RecordingHandler h = new RecordingHandler(runs);
                String id = leaving.addWorker(h).id();
                leavingIds.add(id);
                all.put(id, h);
            }
            Node newest = fixture.join(pool);
            RecordingHandler hn = new RecordingHandler(runs);
            Worker wn = newest.addWorker(hn);
            all.put(wn.id(), hn);
            awaitView(4, a, leaving, newest);
            awaitPlacement(keys, all, a);
            Map<String, String> ownerBefore = owners(keys, all);
            Map<RecordingHandler, Integer> startsBefore = new HashMap<>();
            all.values().forEach(h -> startsBefore.put(h, h.starts.size()));

            workersMap.set(leavingIds.get(0), PoolCodec.REMOVING);
            Thread.sleep(1);
            workersMap.set(leavingIds.get(1), PoolCodec.REMOVING);
            leaving.close();

            Map<String, RecordingHandler> remaining = Map.of(wa.id(), ha, wn.id(), hn);
            awaitPlacement(keys, remaining, a);
            eventually(Duration.ofSeconds(30)).until(() -> unacked(pool) == 0);
            Thread.sleep(300);
            Map<String, String> ownerAfter = owners(keys, remaining);
            Set<String> mustMove = keys.stream().filter(k -> !ownerBefore.get(k).equals(ownerAfter.get(k)))
                    .collect(Collectors.toSet());
            Map<String, Integer> restarts = new HashMap<>();
            startsBefore.forEach((h, before) -> h.starts.subList(before, h.starts.size())
                    .forEach(st -> restarts.merge(st.key(), 1, Integer::sum)));
            movedPerRound.add(restarts.size());
            assertThat(restarts.keySet()).as("round %d: jobs that restarted", round).isEqualTo(mustMove);
            assertThat(restarts).as("round %d: starts per moved job", round).allSatisfy((k, n) -> assertThat(n).isEqualTo(1));
            newest.close(); // the newest worker leaves: its jobs go back to a, not counted
            awaitPlacement(keys, Map.of(wa.id(), ha), a);
        }
        System.out.printf("[staggered] 5 departures marked a millisecond apart: jobs restarted per departure %s, "
                + "each exactly the jobs whose final worker differs; %d ran on two workers at once%n", movedPerRound,
                runs.overlapped.size());
        assertThat(runs.overlapped).as("jobs that ran on two workers at once").isEmpty();
    }

    private static void dispatchAll(Node producer, List<String> keys) throws Exception {
        // a bounded number in flight, so no start waits in the pool stream past the ack grace period
        // (redelivered, it could start a second time, which is not what these tests are about)
        Semaphore slots = new Semaphore(32);
        List<CompletableFuture<Void>> dispatches = new ArrayList<>();
        for (String key : keys) {
            slots.acquire();
            CompletableFuture<Void> d = producer.dispatchJobAsync(key, utf8(key));
            d.whenComplete((v, e) -> slots.release());
            dispatches.add(d);
        }
        CompletableFuture.allOf(dispatches.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
    }

    private static Map<String, String> owners(List<String> keys, Map<String, RecordingHandler> handlers) {
        Map<String, String> owner = new HashMap<>();
        handlers.forEach((worker, h) -> h.running.keySet().forEach(k -> owner.put(k, worker)));
        return owner;
    }

    private static void awaitView(int workers, Node... nodes) {
        eventually(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (Node node : nodes) {
                assertThat(node.view().activeWorkers()).as("view of %s", node).hasSize(workers);
            }
        });
    }

    /** Waits until each key runs on exactly the worker its hash names among {@code handlers}' workers. */
    private static void awaitPlacement(List<String> keys, Map<String, RecordingHandler> handlers, Node view) {
        eventually(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<String> active = view.view().activeWorkers();
            assertThat(active).containsExactlyInAnyOrderElementsOf(handlers.keySet());
            int running = 0;
            for (RecordingHandler h : handlers.values()) {
                running += h.running.size();
            }
            assertThat(running).isEqualTo(keys.size());
            for (String key : keys) {
                String target = active.get(JumpHash.bucket(key, active.size()));
                assertThat(handlers.get(target).running).as("worker of %s", key).containsKey(key);
            }
        });
    }

    private static long unacked(String pool) {
        return REDIS.cli().xpending(GoKeys.streamKey(GoKeys.poolStream(pool)), GoKeys.POOL_SINK).getCount();
    }
}
