package io.pulse.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseEventListener.ConnectionRole;
import io.pulse.core.internal.RedisFacade;
import io.pulse.testing.RecordingEventListener;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The event hook of a {@link PulseRedis}: registration and removal, a throwing listener kept from
 * Pulse and from the other listeners, and the connection events on real connection losses.
 */
class EventListenerTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void withoutListenersTheFacadeEmitsToTheNoOpListener() {
        PulseRedis redis = REDIS.newPulseRedis();
        assertThat(RedisFacade.of(redis).events()).isSameAs(PulseEventListener.NONE);
        RecordingEventListener listener = new RecordingEventListener();
        Subscription subscription = redis.addEventListener(listener);
        assertThat(RedisFacade.of(redis).events()).isNotSameAs(PulseEventListener.NONE);
        subscription.close();
        subscription.close();
        assertThat(RedisFacade.of(redis).events()).isSameAs(PulseEventListener.NONE);
    }

    @Test
    void aThrowingListenerIsCaughtAndTheOthersStillReceiveTheEvent() {
        RecordingEventListener before = new RecordingEventListener();
        RecordingEventListener after = new RecordingEventListener();
        PulseRedis redis = REDIS.track(PulseRedis.builder(REDIS.uri()).eventListener(before)
                .eventListener(new PulseEventListener() {
                    @Override
                    public void mapJoined(String map) {
                        throw new IllegalStateException("listener bug");
                    }
                }).connect());
        redis.addEventListener(after);
        RedisFacade.of(redis).events().mapJoined("m");
        assertThat(before.count("mapJoined", "m")).isEqualTo(1);
        assertThat(after.count("mapJoined", "m")).isEqualTo(1);
    }

    @Test
    void nullListenersAreRefusedAtTheCall() {
        PulseRedis redis = REDIS.newPulseRedis();
        assertThatThrownBy(() -> redis.addEventListener(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("listener");
        assertThatThrownBy(() -> PulseRedis.builder(REDIS.uri()).eventListener(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("listener");
    }

    @Test
    void aKilledCommandConnectionIsReportedOnceDownAndOnceBack() {
        RecordingEventListener events = new RecordingEventListener();
        PulseRedis redis = REDIS.track(PulseRedis.builder(REDIS.uri()).eventListener(events).connect());
        redis.rawCommand(c -> c.clientSetname("observed".getBytes())).join();
        REDIS.cli().clientKill(io.lettuce.core.KillArgs.Builder.id(clientId("observed")));
        await().atMost(Duration.ofSeconds(20)).until(() -> events.count("redisReconnected", ConnectionRole.COMMANDS) == 1);
        assertThat(events.count("redisDisconnected", ConnectionRole.COMMANDS)).isEqualTo(1);
        assertThat(events.count("redisDisconnected", ConnectionRole.PUBSUB)).isZero();
    }

    @Test
    void aKilledSubscriberConnectionIsReportedWithItsRole() {
        RecordingEventListener events = new RecordingEventListener();
        PulseRedis redis = REDIS.track(PulseRedis.builder(REDIS.uri()).eventListener(events).connect());
        // Redis counts a connection as a subscriber only while it has a subscription
        RedisFacade.of(redis).subscribe("observed-channel", message -> { }).join();
        REDIS.cli().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub());
        await().atMost(Duration.ofSeconds(20)).until(() -> events.count("redisReconnected", ConnectionRole.PUBSUB) >= 1);
        assertThat(events.count("redisDisconnected", ConnectionRole.PUBSUB))
                .isEqualTo(events.count("redisReconnected", ConnectionRole.PUBSUB));
        assertThat(events.count("redisDisconnected", ConnectionRole.COMMANDS)).isZero();
    }

    @Test
    void closingTheFacadeReportsNoConnectionLoss() {
        RecordingEventListener events = new RecordingEventListener();
        PulseRedis redis = PulseRedis.builder(REDIS.uri()).eventListener(events).connect();
        redis.close();
        assertThat(events.count("redisDisconnected")).isZero();
    }

    private static long clientId(String name) {
        for (String line : REDIS.cli().clientList().split("\n")) {
            if (line.contains(" name=" + name + " ")) {
                String id = line.substring(line.indexOf("id=") + 3);
                return Long.parseLong(id.substring(0, id.indexOf(' ')));
            }
        }
        throw new AssertionError("no client named " + name);
    }
}
