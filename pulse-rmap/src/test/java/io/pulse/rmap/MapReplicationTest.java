package io.pulse.rmap;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.KillArgs;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replicas on several connections: they see each other's writes, and resynchronise after their
 * subscriber connection is cut.
 */
@Timeout(120)
class MapReplicationTest extends MapTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    @Test
    void replicasOnTwoConnectionsSeeEachOthersWrites() {
        String name = RedisServerExtension.uniqueName("replicas");
        ReplicatedMap a = REDIS.track(ReplicatedMap.join(name, REDIS.newPulseRedis()));
        a.setAndWait("early", "e");
        ReplicatedMap b = REDIS.track(ReplicatedMap.join(name, REDIS.newPulseRedis()));
        assertThat(b.snapshot()).as("a late joiner loads the content").isEqualTo(Map.of("early", "e"));

        assertThat(a.set("k", "from-a")).isNull();
        eventually().untilAsserted(() -> assertThat(b.get("k")).contains("from-a"));

        assertThat(b.set("k", "from-b")).isEqualTo("from-a");
        assertThat(b.inc("n", 3)).isEqualTo(3);
        eventually().untilAsserted(() -> {
            assertThat(a.get("k")).contains("from-b");
            assertThat(a.get("n")).contains("3");
        });

        assertThat(b.delete("early")).isEqualTo("e");
        eventually().untilAsserted(() -> assertThat(a.get("early")).isEmpty());
        eventually().untilAsserted(() -> assertThat(a.snapshot()).isEqualTo(b.snapshot()));

        a.reset();
        eventually().untilAsserted(() -> {
            assertThat(a.snapshot()).isEmpty();
            assertThat(b.snapshot()).isEmpty();
        });
        assertThat(a.revision()).isEqualTo(b.revision()).isEqualTo(storedRevision(a));
    }

    @Test
    void replicaResyncsAfterItsSubscriberConnectionIsKilledAndKeepsFollowingChanges() {
        ReplicatedMap map = REDIS.track(ReplicatedMap.join(RedisServerExtension.uniqueName("reconnect"),
                REDIS.newPulseRedis()));
        List<MapEvent> events = new CopyOnWriteArrayList<>();
        map.subscribe(events::add);
        map.setAndWait("foo", "bar");
        long resyncs = map.resyncCount();

        assertThat(REDIS.cli().clientKill(KillArgs.Builder.typePubsub())).isPositive();

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> map.resyncCount() > resyncs);
        eventually().until(() -> events.stream().anyMatch(e -> e.kind() == MapEvent.Kind.RESYNC));
        assertThat(map.snapshot()).isEqualTo(Map.of("foo", "bar"));

        assertThat(map.set("foo2", "bar2")).isNull();
        eventually().untilAsserted(() -> assertThat(map.size()).isEqualTo(2));
        assertThat(map.get("foo2")).contains("bar2");
    }

    @Test
    void resetDuringASubscriberOutageReachesTheObserverAsResetOrResync() {
        String name = RedisServerExtension.uniqueName("outage");
        ReplicatedMap observer = REDIS.track(ReplicatedMap.join(name, REDIS.newPulseRedis()));
        ReplicatedMap writer = REDIS.track(ReplicatedMap.join(name, REDIS.newPulseRedis()));
        writer.set("k", "v");
        eventually().untilAsserted(() -> assertThat(observer.get("k")).contains("v"));
        List<MapEvent> events = new CopyOnWriteArrayList<>();
        observer.subscribe(events::add);

        REDIS.cli().clientKill(KillArgs.Builder.typePubsub());
        writer.reset();
        long resetRevision = storedRevision(writer);

        Supplier<Boolean> told = () -> events.stream().anyMatch(e ->
                (e.kind() == MapEvent.Kind.RESET || e.kind() == MapEvent.Kind.RESYNC) && e.revision() >= resetRevision);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(told::get);
        assertThat(observer.snapshot()).isEmpty();
        assertThat(observer.revision()).isGreaterThanOrEqualTo(resetRevision);
    }
}
