package io.pulse.rmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.KillArgs;
import io.pulse.core.PulseEventListener;
import io.pulse.core.PulseRedis;
import io.pulse.testing.RecordingEventListener;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The events a replicated map reports to the event hook, each once per real occurrence. */
class MapEventsTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static PulseRedis observed(RecordingEventListener events) {
        return REDIS.track(PulseRedis.builder(REDIS.uri()).eventListener(events).connect());
    }

    @Test
    void joinWriteAndCloseAreReportedOnceEach() {
        RecordingEventListener events = new RecordingEventListener();
        String name = RedisServerExtension.uniqueName("observed");
        ReplicatedMap map = ReplicatedMap.join(name, observed(events));
        map.set("a", "1");
        map.set("b", "2");
        map.inc("n", 1);
        map.delete("a");
        assertThat(events.count("mapJoined", name)).isEqualTo(1);
        assertThat(events.count("mapWritten", name, "set", "")).isEqualTo(2);
        assertThat(events.count("mapWritten", name, "inc", "")).isEqualTo(1);
        assertThat(events.count("mapWritten", name, "delete", "")).isEqualTo(1);
        assertThat(events.of("mapWritten", name)).allSatisfy(e -> assertThat((Long) e.arg(3)).isPositive());
        assertThat(events.count("mapResynced", name)).isZero();
        map.close();
        map.close();
        assertThat(events.count("mapLeft", name)).isEqualTo(1);
    }

    @Test
    void aFailedWriteIsReportedWithItsFailure() {
        RecordingEventListener events = new RecordingEventListener();
        String name = RedisServerExtension.uniqueName("failing");
        PulseRedis redis = observed(events);
        ReplicatedMap map = ReplicatedMap.join(name, redis);
        REDIS.cli().hset(redis.layout().mapContentKey(name), "n", "not a number");
        assertThatThrownBy(() -> map.inc("n", 1)).isInstanceOf(RuntimeException.class);
        assertThat(events.of("mapWritten", name, "inc")).singleElement()
                .satisfies(e -> assertThat((String) e.arg(2)).isNotEmpty());
    }

    @Test
    void aLostSubscriberConnectionReportsOneResyncPerMap() {
        RecordingEventListener events = new RecordingEventListener();
        PulseRedis redis = observed(events);
        String first = RedisServerExtension.uniqueName("resynced");
        String second = RedisServerExtension.uniqueName("resynced");
        ReplicatedMap.join(first, redis);
        ReplicatedMap.join(second, redis);
        REDIS.cli().clientKill(KillArgs.Builder.typePubsub());
        await().atMost(Duration.ofSeconds(20))
                .until(() -> events.count("mapResynced", first) == 1 && events.count("mapResynced", second) == 1);
        assertThat(events.count("redisDisconnected", PulseEventListener.ConnectionRole.PUBSUB)).isEqualTo(1);
    }

    @Test
    void aListenerThatFallsBehindIsReportedAsOverflowed() throws Exception {
        RecordingEventListener events = new RecordingEventListener();
        String name = RedisServerExtension.uniqueName("overflowed");
        ReplicatedMap map = ReplicatedMap.join(name, observed(events));
        CountDownLatch release = new CountDownLatch(1);
        map.subscribe(e -> {
            try {
                release.await();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        });
        // the first change blocks the listener; the next 10,000 fill its queue and one more overflows it
        for (int i = 0; i <= 10_001; i++) {
            map.setAsync("k", Integer.toString(i));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> events.count("mapListenerOverflowed", name) >= 1);
        release.countDown();
        assertThat(events.of("mapListenerOverflowed", name).get(0).arg(1)).isEqualTo(10_000L);
    }
}
