package io.pulse.streaming;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redelivery by a sink: unacked events after the grace period, a closed instance's events, stale
 * consumers.
 */
@Timeout(60)
class SinkRedeliveryTest extends StreamTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    @Test
    void anUnackedEventIsRedeliveredAfterTheAckGracePeriod() {
        Stream stream = newStream("claim");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(stream, name).open());
        Map<String, Long> firstSeenNanos = new ConcurrentHashMap<>();
        List<Long> redeliveryDelaysMs = new CopyOnWriteArrayList<>();
        Inbox inbox = new Inbox(e -> {
            Long first = firstSeenNanos.putIfAbsent(e.id(), System.nanoTime());
            if (first != null) {
                redeliveryDelaysMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - first));
                sink.ack(e);
            }
        });
        closeLater(sink.subscribe(inbox));
        String id = stream.add("event", utf8("payload"));
        eventually().until(() -> inbox.size() == 2);
        assertThat(ids(inbox.events())).containsExactly(id, id);
        assertThat(redeliveryDelaysMs.get(0)).isGreaterThanOrEqualTo(GRACE.toMillis() - 20);
        throughout(GRACE.multipliedBy(4)).until(() -> inbox.size() == 2);
        assertThat(pendingCount(stream, name)).isZero();
    }

    @Test
    void anUnackedEventOfAClosedInstanceIsDeliveredToAnotherInstance() {
        Stream stream = newStream("crash");
        String name = RedisServerExtension.uniqueName("sink");
        Sink[] instances = {closeLater(sink(stream, name).ackGracePeriod(Duration.ofMillis(500)).open()),
            closeLater(sink(stream, name).ackGracePeriod(Duration.ofMillis(500)).open())};
        Set<Integer> acking = ConcurrentHashMap.newKeySet();
        List<Inbox> inboxes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int index = i;
            Inbox inbox = new Inbox(e -> {
                if (acking.contains(index)) {
                    instances[index].ack(e);
                }
            });
            inboxes.add(inbox);
            closeLater(instances[i].subscribe(inbox));
        }
        String id = stream.add("event", utf8("payload"));
        eventually().until(() -> inboxes.get(0).size() + inboxes.get(1).size() >= 1);
        int receiver = inboxes.get(0).size() > 0 ? 0 : 1;
        int survivor = 1 - receiver;
        acking.add(survivor);
        instances[receiver].close();
        assertThat(ids(inboxes.get(receiver).events())).containsExactly(id);

        eventually().until(() -> inboxes.get(survivor).size() >= 1);
        assertThat(ids(inboxes.get(survivor).events())).containsExactly(id);
        eventually().until(() -> pendingCount(stream, name) == 0);
        throughout(Duration.ofSeconds(1)).until(() -> inboxes.get(survivor).size() == 1);
    }

    @Test
    void aStaleConsumerIsDeletedOnceItsEventWasClaimedByAnotherInstance() {
        Stream stream = newStream("stale");
        String name = RedisServerExtension.uniqueName("sink");
        Sink first = sink(stream, name).open();
        closeLater(first);
        String id = stream.add("event", utf8("payload"));
        assertThat(ids(pullAtLeast(first::read, 1))).containsExactly(id);

        Sink second = closeLater(sink(stream, name).open());
        eventually().until(() -> consumers(stream, name).size() == 2);
        first.close();

        eventually().until(() -> consumers(stream, name).equals(List.of(second.consumer())));
        eventually().until(() -> !cli().hexists("map:sink:" + name + ":keepalive:content", first.consumer()));
        eventually().until(() -> !cli().hget("map:stream:" + stream.name() + ":sinks:content", name)
                .contains(first.consumer()));
        assertThat(cli().hget("map:stream:" + stream.name() + ":sinks:content", name)).contains(second.consumer());

        Inbox inbox = new Inbox(second::ack);
        closeLater(second.subscribe(inbox));
        eventually().until(() -> inbox.size() >= 1);
        assertThat(ids(inbox.events())).containsExactly(id);
        eventually().until(() -> pendingCount(stream, name) == 0);
    }

    @Test
    void anEventWhoseSinkSubscriberThrewIsDeliveredAgainAfterTheGracePeriod() {
        Stream stream = newStream("sink-throws");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(stream, name).open());
        Inbox inbox = new Inbox(e -> {
            if (deliveryCount(e) == 1) {
                throw new IllegalStateException("handler failure (expected by the test)");
            }
            sink.ack(e);
        });
        closeLater(sink.subscribe(inbox));
        String id = stream.add("e", utf8("p"));
        eventually().until(() -> inbox.size() >= 2);
        throughout(GRACE.multipliedBy(3)).until(() -> inbox.size() == 2);
        assertThat(ids(inbox.events())).containsExactly(id, id);
        assertThat(pendingCount(stream, name)).isZero();
    }
}
