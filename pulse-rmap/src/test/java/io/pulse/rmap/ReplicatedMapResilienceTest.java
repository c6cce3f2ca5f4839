package io.pulse.rmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.KillArgs;
import io.pulse.core.PulseException;
import io.pulse.core.PulseRedis;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import io.pulse.rmap.internal.MapProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the Go original gets wrong (R1 to R6) and the replica must get right, on a real Redis. */
class ReplicatedMapResilienceTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration LONG = Duration.ofSeconds(30);

    /** The hash as Redis holds it, without the reserved fields. */
    private static Map<String, String> redisContent(String name) {
        Map<String, String> all = new HashMap<>(REDIS.cli().hgetall(GoKeys.content(name)));
        all.remove(MapProtocol.REVISION_FIELD);
        all.remove(MapProtocol.KIND_FIELD);
        return all;
    }

    private static List<MapEvent> record(ReplicatedMap map) {
        List<MapEvent> events = new CopyOnWriteArrayList<>();
        map.subscribe(events::add);
        return events;
    }

    private static boolean sawResync(List<MapEvent> events) {
        return events.stream().anyMatch(e -> e.kind() == MapEvent.Kind.RESYNC);
    }

    @Test
    void tenThousandConcurrentMixedMutationsFromTwoProcessesLeaveBothReplicasEqualToRedis() {
        String name = RedisServerExtension.uniqueName("concurrent");
        ReplicatedMap a = ReplicatedMap.join(name, REDIS.newPulseRedis());
        ReplicatedMap b = ReplicatedMap.join(name, REDIS.newPulseRedis());
        List<CompletableFuture<?>> all = new ArrayList<>();
        AtomicInteger failures = new AtomicInteger();
        for (int i = 0; i < 10_000; i++) {
            ReplicatedMap m = (i % 2 == 0) ? a : b;
            String key = "k" + ThreadLocalRandom.current().nextInt(200);
            CompletableFuture<?> f;
            switch (i % 6) {
                case 0 -> f = m.setAsync(key, "v" + i);
                case 1 -> f = m.incAsync("counter" + (i % 7), 1);
                case 2 -> f = m.deleteAsync(key);
                case 3 -> f = m.appendUniqueValuesAsync("list" + (i % 5), "item" + (i % 13));
                case 4 -> f = m.testAndSetAsync(key, "v" + (i - 4), "t" + i);
                default -> f = m.removeValuesAsync("list" + (i % 5), "item" + (i % 11));
            }
            all.add(f.exceptionally(e -> {
                failures.incrementAndGet();
                return null;
            }));
            if (all.size() % 512 == 0) {
                CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).join();
            }
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).join();
        assertThat(failures).hasValue(0);
        await().atMost(LONG).untilAsserted(() -> {
            Map<String, String> expected = redisContent(name);
            assertThat(a.snapshot()).isEqualTo(expected);
            assertThat(b.snapshot()).isEqualTo(expected);
        });
        assertThat(a.revision()).isEqualTo(Long.parseLong(REDIS.cli().hget(GoKeys.content(name), "=rev")));
    }

    @Test
    void replicasConvergeAndAnnounceResyncAfterRedisIsKilledAndRestartedWhileWritesFlow() throws Exception {
        String name = RedisServerExtension.uniqueName("restart");
        PulseRedis writerRedis = REDIS.newPulseRedis();
        ReplicatedMap writer = ReplicatedMap.join(name, writerRedis);
        ReplicatedMap reader = ReplicatedMap.join(name, REDIS.newPulseRedis());
        List<MapEvent> writerEvents = record(writer);
        List<MapEvent> readerEvents = record(reader);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger();
        CountDownLatch someWritten = new CountDownLatch(50);
        Thread producer = new Thread(() -> {
            int i = 0;
            while (!stop.get()) {
                try {
                    writer.set("k" + (i % 50), "v" + i);
                    written.incrementAndGet();
                    someWritten.countDown();
                } catch (PulseException e) {
                    // Redis is down: this write failed visibly; the next one is tried
                }
                i++;
            }
        }, "producer");
        producer.start();
        try {
            assertThat(someWritten.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            REDIS.kill();
            REDIS.restart();
            int before = written.get();
            await().atMost(LONG).until(() -> written.get() > before + 50);
        } finally {
            stop.set(true);
            producer.join(30_000);
        }
        await().atMost(LONG).untilAsserted(() -> {
            Map<String, String> expected = redisContent(name);
            assertThat(expected).isNotEmpty();
            assertThat(writer.snapshot()).isEqualTo(expected);
            assertThat(reader.snapshot()).isEqualTo(expected);
        });
        await().atMost(LONG).until(() -> sawResync(writerEvents) && sawResync(readerEvents));
    }

    @Test
    void killedSubscriberConnectionResyncsAndLosesNoChange() {
        String name = RedisServerExtension.uniqueName("pubsubkill");
        ReplicatedMap observer = ReplicatedMap.join(name, REDIS.newPulseRedis());
        ReplicatedMap writer = ReplicatedMap.join(name, REDIS.newPulseRedis());
        List<MapEvent> events = record(observer);
        writer.setAndWait("before", "1");
        await().atMost(LONG).until(() -> observer.get("before").isPresent());
        REDIS.cli().clientKill(KillArgs.Builder.typePubsub());
        // written while the observer's subscriber connection is being re-established
        for (int i = 0; i < 100; i++) {
            writer.set("during" + i, Integer.toString(i));
        }
        writer.set("after", "2");
        Map<String, String> expected = new HashMap<>();
        expected.put("before", "1");
        for (int i = 0; i < 100; i++) {
            expected.put("during" + i, Integer.toString(i));
        }
        expected.put("after", "2");
        // every change made around the outage reaches the observer, none is lost
        await().atMost(LONG).untilAsserted(() -> assertThat(observer.snapshot()).isEqualTo(expected));
        await().atMost(LONG).until(() -> sawResync(events));
    }

    @Test
    void garbageOnTheUpdateChannelIsIgnoredAndTheReplicaStaysCorrectAndAlive() {
        String name = RedisServerExtension.uniqueName("garbage");
        ReplicatedMap map = ReplicatedMap.join(name, REDIS.newPulseRedis());
        map.setAndWait("k", "v1");
        long revision = map.revision();
        byte[][] garbage = {
            new byte[0],
            "no-colon".getBytes(),
            "frob:1".getBytes(),
            {'s', 'e', 't', ':', 3, 0},
            {'s', 'e', 't', ':', (byte) 0xff, (byte) 0xff, 0, 0, 'k'},
            {'d', 'e', 'l', ':', 1, 0, 0, 0, 'k', 9, 0, 0, 0, '1'},
            "reset:".getBytes(),
            "destroy:not-a-number".getBytes(),
        };
        try (var raw = io.lettuce.core.RedisClient.create(REDIS.uri()).connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE)) {
            for (byte[] g : garbage) {
                raw.sync().publish(GoKeys.updates(name).getBytes(), g);
            }
        }
        map.set("k", "v2");
        await().atMost(LONG).until(() -> map.get("k").equals(java.util.Optional.of("v2")));
        assertThat(map.snapshot()).isEqualTo(Map.of("k", "v2"));
        assertThat(map.revision()).isEqualTo(revision + 1);
        assertThat(map.resyncCount()).isZero();
    }

    @Test
    void aSkippedRevisionTriggersAResyncThatRecoversTheLostChange() {
        String name = RedisServerExtension.uniqueName("gap");
        ReplicatedMap map = ReplicatedMap.join(name, REDIS.newPulseRedis());
        List<MapEvent> events = record(map);
        map.setAndWait("a", "1");
        // a change whose message is lost: committed to the hash, never published
        REDIS.cli().hset(GoKeys.content(name), "lost", "x");
        REDIS.cli().hincrby(GoKeys.content(name), MapProtocol.REVISION_FIELD, 1);
        // the next change arrives with a revision two ahead of the replica
        map.set("b", "2");
        await().atMost(LONG).untilAsserted(() ->
                assertThat(map.snapshot()).isEqualTo(Map.of("a", "1", "lost", "x", "b", "2")));
        assertThat(map.resyncCount()).isPositive();
        await().atMost(LONG).until(() -> sawResync(events));
    }

    @Test
    void aRevisionThatGoesBackAfterTheHashVanishedIsRepairedByAResync() {
        String name = RedisServerExtension.uniqueName("regress");
        ReplicatedMap map = ReplicatedMap.join(name, REDIS.newPulseRedis());
        for (int i = 0; i < 5; i++) {
            map.set("old" + i, "x");
        }
        await().atMost(LONG).until(() -> map.size() == 5 && map.revision() == 5);
        // what a TTL expiry or a FLUSHDB does: the hash and its counter are gone, nothing is published
        REDIS.cli().del(GoKeys.content(name));
        map.set("fresh", "1");
        await().atMost(LONG).untilAsserted(() -> assertThat(map.snapshot()).isEqualTo(Map.of("fresh", "1")));
        assertThat(map.revision()).isEqualTo(1);
        // and it keeps following changes from the restarted counter
        map.set("next", "2");
        await().atMost(LONG).untilAsserted(() -> assertThat(map.snapshot()).isEqualTo(Map.of("fresh", "1", "next", "2")));
    }

    @Test
    void aMapWithTtlThatExpiredIsFollowedAgainFromItsNextWrite() {
        String name = RedisServerExtension.uniqueName("ttlexpiry");
        ReplicatedMap map = ReplicatedMap.builder(name, REDIS.newPulseRedis()).ttl(Duration.ofMillis(300)).join();
        map.setAndWait("a", "1");
        map.setAndWait("b", "2");
        await().atMost(LONG).until(() -> REDIS.cli().exists(GoKeys.content(name)) == 0L);
        map.setAndWait("c", "3");
        await().atMost(LONG).untilAsserted(() -> assertThat(map.snapshot()).isEqualTo(Map.of("c", "3")));
    }

    @Test
    void ttlIsAppliedByTheWriteWithMillisecondPrecision() {
        String name = RedisServerExtension.uniqueName("ttlms");
        ReplicatedMap map = ReplicatedMap.builder(name, REDIS.newPulseRedis()).slidingTtl(Duration.ofMillis(1500)).join();
        map.set("a", "1");
        long pttl = REDIS.cli().pttl(GoKeys.content(name));
        // whole-second truncation (the Go client) would give 1000 ms
        assertThat(pttl).isBetween(1001L, 1500L);
    }

    @Test
    void setAndWaitIsSatisfiedByAResyncWhenItsMessageIsLost() {
        String name = RedisServerExtension.uniqueName("lostwait");
        ReplicatedMap map = ReplicatedMap.join(name, REDIS.newPulseRedis());
        map.setAndWait("a", "1");
        // a write whose message never comes: only a re-read of Redis can show it
        REDIS.cli().hset(GoKeys.content(name), "k", "v");
        long rev = REDIS.cli().hincrby(GoKeys.content(name), MapProtocol.REVISION_FIELD, 1);
        CompletableFuture<Void> visible = map.awaitVisible(rev, "k", "v");
        visible.orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(map.get("k")).contains("v");
    }

    @Test
    void setAndWaitFailsAfterItsBoundInsteadOfHangingForever() {
        String name = RedisServerExtension.uniqueName("boundwait");
        ReplicatedMap map = ReplicatedMap.builder(name, REDIS.newPulseRedis())
                .setAndWaitTimeout(Duration.ofMillis(1500)).join();
        // a revision Redis will never reach
        CompletableFuture<Void> visible = map.awaitVisible(1_000_000, "k", "v");
        assertThatThrownBy(() -> visible.get(20, java.util.concurrent.TimeUnit.SECONDS))
                .hasCauseInstanceOf(PulseException.class);
    }

    @Test
    void aResetDuringAnOutageIsReportedAfterTheResync() {
        String name = RedisServerExtension.uniqueName("resetoutage");
        ReplicatedMap observer = ReplicatedMap.join(name, REDIS.newPulseRedis());
        ReplicatedMap writer = ReplicatedMap.join(name, REDIS.newPulseRedis());
        writer.set("k", "v");
        await().atMost(LONG).until(() -> observer.get("k").isPresent());
        List<MapEvent> events = record(observer);
        REDIS.cli().clientKill(KillArgs.Builder.typePubsub());
        writer.reset();
        await().atMost(LONG).until(() -> observer.size() == 0);
        await().atMost(LONG).until(() -> events.stream().anyMatch(
                e -> e.kind() == MapEvent.Kind.RESYNC || e.kind() == MapEvent.Kind.RESET));
    }

    @Test
    void aListenerThatFallsFarBehindGetsOneResyncInsteadOfAnUnboundedQueue() throws Exception {
        String name = RedisServerExtension.uniqueName("slowlistener");
        ReplicatedMap map = ReplicatedMap.join(name, REDIS.newPulseRedis());
        CountDownLatch release = new CountDownLatch(1);
        List<MapEvent> slow = new CopyOnWriteArrayList<>();
        List<MapEvent> fast = new CopyOnWriteArrayList<>();
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            map.subscribe(e -> {
                try {
                    release.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                slow.add(e);
            });
            ReplicatedMap fastView = ReplicatedMap.builder(name, REDIS.newPulseRedis()).executor(other).join();
            fastView.subscribe(fast::add);
            List<CompletableFuture<?>> writes = new ArrayList<>();
            for (int i = 0; i < 12_000; i++) {
                writes.add(map.setAsync("k" + (i % 100), Integer.toString(i)));
            }
            CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).join();
            // the fast listener on another replica is not held up by the slow one
            await().atMost(LONG).until(() -> fast.size() == 12_000);
            await().atMost(LONG).until(() -> map.revision() == 12_000);
            release.countDown();
            await().atMost(LONG).until(() -> slow.stream().anyMatch(e -> e.kind() == MapEvent.Kind.RESYNC));
            assertThat(slow.size()).isLessThan(12_000);
        } finally {
            release.countDown();
            other.shutdownNow();
        }
    }
}
