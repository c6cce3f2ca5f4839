package io.pulse.rmap;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.pulse.core.Subscription;
import io.pulse.testing.RedisServerExtension;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Listeners: every change in revision order off the Redis I/O threads, closed subscriptions, malformed
 * update messages.
 */
@Timeout(120)
class MapListenerTest extends MapTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    @Test
    void listenersGetEveryChangeInRevisionOrderWithItsKindOffTheRedisIoThreads() {
        ReplicatedMap map = join("events");
        List<MapEvent> events = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        List<String> notYetVisible = new CopyOnWriteArrayList<>();
        map.subscribe(e -> {
            threads.add(Thread.currentThread().getName());
            if (map.revision() < e.revision()) {
                notYetVisible.add(e.toString());
            }
            events.add(e);
        });

        map.set("a", "1");
        map.set("b", "2");
        map.delete("a");
        map.reset();
        map.set("c", "3");
        map.destroy();
        map.inc("n", 5);
        map.testAndDelete("n", "5");
        map.appendValues("l", "x");
        map.removeValues("l", "x");
        long last = storedRevision(map);

        eventually().until(() -> events.size() >= 10);
        assertThat(kinds(events)).containsExactly(MapEvent.Kind.CHANGE, MapEvent.Kind.CHANGE, MapEvent.Kind.DELETE,
                MapEvent.Kind.RESET, MapEvent.Kind.CHANGE, MapEvent.Kind.RESET, MapEvent.Kind.CHANGE,
                MapEvent.Kind.DELETE, MapEvent.Kind.CHANGE, MapEvent.Kind.DELETE);
        assertThat(events).extracting(MapEvent::key)
                .containsExactly("a", "b", "a", null, "c", null, "n", "n", "l", "l");
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).revision()).as("revision of event %d", i).isEqualTo(last - 9 + i);
        }
        assertThat(notYetVisible).as("events received before the replica showed them").isEmpty();
        assertThat(threads).allSatisfy(t -> assertThat(t.toLowerCase(Locale.ROOT))
                .doesNotContain("lettuce").doesNotContain("epoll").doesNotContain("nio"));
        throughout().until(() -> events.size() == 10);
    }

    @Test
    void closingASubscriptionStopsItsDeliveryOnly() {
        ReplicatedMap map = join("unsubscribe");
        List<MapEvent> stopped = new CopyOnWriteArrayList<>();
        List<MapEvent> kept = new CopyOnWriteArrayList<>();
        Subscription toStop = map.subscribe(stopped::add);
        map.subscribe(kept::add);

        map.set("k", "1");
        eventually().until(() -> stopped.size() == 1 && kept.size() == 1);

        toStop.close();
        assertThatCode(toStop::close).doesNotThrowAnyException();
        map.set("k", "2");
        map.delete("k");
        eventually().until(() -> kept.size() == 3);
        throughout().until(() -> stopped.size() == 1);
        assertThat(kinds(stopped)).containsExactly(MapEvent.Kind.CHANGE);
        assertThat(kinds(kept)).containsExactly(MapEvent.Kind.CHANGE, MapEvent.Kind.CHANGE, MapEvent.Kind.DELETE);
    }

    @Test
    void malformedUpdateMessagesAreIgnoredWithoutTouchingTheReplica() {
        String name = RedisServerExtension.uniqueName("malformed");
        REDIS.cli().hset(contentKey(name), Map.of("stale", "value", "=rev", "7", "=kind", "set"));
        ReplicatedMap map = REDIS.track(ReplicatedMap.join(name, redis));
        assertThat(map.revision()).isEqualTo(7);
        List<MapEvent> events = new CopyOnWriteArrayList<>();
        map.subscribe(events::add);

        REDIS.cli().publish(updatesChannel(name), "destroy:");
        REDIS.cli().publish(updatesChannel(name), "destroy:notanumber");
        REDIS.cli().publish(updatesChannel(name), "reset:");
        REDIS.cli().publish(updatesChannel(name), "no colon at all");
        REDIS.cli().publish(updatesChannel(name), "set:" + (char) 200);
        // a valid message published after them arrives after them on the channel
        REDIS.cli().publish(updatesChannel(name), setMessage("fresh", "1", 8));

        eventually().untilAsserted(() -> assertThat(map.get("fresh")).contains("1"));
        assertThat(map.snapshot()).isEqualTo(Map.of("stale", "value", "fresh", "1"));
        assertThat(map.revision()).isEqualTo(8);
        eventually().until(() -> !events.isEmpty());
        throughout().until(() -> events.size() == 1);
        assertThat(events).containsExactly(new MapEvent(MapEvent.Kind.CHANGE, "fresh", 8));
    }
}
