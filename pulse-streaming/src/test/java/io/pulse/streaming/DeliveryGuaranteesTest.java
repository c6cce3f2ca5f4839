package io.pulse.streaming;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.models.stream.PendingMessage;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Delivery at volume: every reader gets every event in order, sink instances share events exactly
 * once, nothing read is lost by a closed instance.
 */
@Timeout(60)
class DeliveryGuaranteesTest extends StreamTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    /** A longer grace than the other streaming classes use: these tests hold events across it. */
    static final Duration GRACE = Duration.ofMillis(500);

    @Override
    Duration ackGrace() {
        return GRACE;
    }

    // ================================================================== fan-out and work queue

    @Test
    void twoReadersEachReceiveAll10000EventsInOrder() {
        Stream stream = unboundedStream("fan-out");
        Reader pushed = closeLater(stream.reader().blockDuration(BLOCK).open());
        Reader pulled = closeLater(stream.reader().blockDuration(BLOCK).open());
        Inbox inbox = new Inbox();
        closeLater(pushed.subscribe(inbox));

        List<String> added = addMany(stream, 10_000);
        Map<String, String> payloadOf = new HashMap<>();
        for (int i = 0; i < added.size(); i++) {
            payloadOf.put(added.get(i), Integer.toString(i));
        }
        List<String> inStreamOrder = added.stream().sorted(STREAM_ORDER).toList();

        List<Event> pulledEvents = pullAtLeast(pulled::read, 10_000);
        eventually().until(() -> inbox.size() >= 10_000);
        throughout(Duration.ofMillis(300)).until(() -> inbox.size() == 10_000);
        assertThat(pulled.read(BLOCK)).isEmpty();

        for (List<Event> got : List.of(pulledEvents, inbox.events())) {
            assertThat(ids(got)).containsExactlyElementsOf(inStreamOrder);
            assertThat(got).allSatisfy(e -> assertThat(text(e)).isEqualTo(payloadOf.get(e.id())));
        }
    }

    @Test
    void threeInstancesOfOneSinkShare10000EventsEachDeliveredToExactlyOne() {
        Stream stream = unboundedStream("work-queue");
        String name = RedisServerExtension.uniqueName("workers");
        List<Inbox> inboxes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            // a long grace period: nothing may be re-claimed while every instance is alive
            Sink instance = closeLater(stream.sink(name).blockDuration(BLOCK).bufferSize(100)
                    .ackGracePeriod(Duration.ofSeconds(60)).open());
            Inbox inbox = new Inbox(e -> instance.ackAsync(List.of(e)));
            inboxes.add(inbox);
            closeLater(instance.subscribe(inbox));
        }

        Set<String> added = new HashSet<>(addMany(stream, 10_000));
        Supplier<Integer> total = () -> inboxes.stream().mapToInt(Inbox::size).sum();
        eventually().until(() -> total.get() >= 10_000);
        throughout(Duration.ofMillis(500)).until(() -> total.get() == 10_000);

        List<String> all = new ArrayList<>();
        for (Inbox inbox : inboxes) {
            List<String> mine = ids(inbox.events());
            assertThat(mine).isSortedAccordingTo(STREAM_ORDER);
            all.addAll(mine);
        }
        assertThat(all).hasSize(10_000).doesNotHaveDuplicates();
        assertThat(new HashSet<>(all)).isEqualTo(added);
        eventually().until(() -> pendingCount(stream, name) == 0);
    }

    @Test
    void eventsReadButNotAckedByAClosedInstanceReachTheSurvivorAfterTheGracePeriod() {
        Stream stream = unboundedStream("at-least-once");
        String name = RedisServerExtension.uniqueName("sink");
        Sink doomed = closeLater(sink(stream, name).open());
        Sink survivor = closeLater(sink(stream, name).open());
        List<String> added = addMany(stream, 5);

        long readStart = System.nanoTime();
        List<Event> batch = pullAtLeast(doomed::read, 5);
        assertThat(ids(batch)).containsExactlyElementsOf(added);
        assertThat(pending(stream, name)).extracting(PendingMessage::getConsumer).containsOnly(doomed.consumer());
        doomed.close();

        Inbox inbox = new Inbox(survivor::ack);
        closeLater(survivor.subscribe(inbox));
        eventually().until(() -> inbox.size() >= 5);
        throughout(GRACE.multipliedBy(3)).until(() -> inbox.size() == 5);
        assertThat(ids(inbox.events())).containsExactlyElementsOf(ids(batch));
        assertThat(payloads(inbox.events())).containsExactlyElementsOf(payloads(batch));
        assertThat(inbox.events()).allSatisfy(e -> assertThat(e.sinkName()).isEqualTo(name));
        // re-claimed only once the events had been idle for the grace period
        assertThat(TimeUnit.NANOSECONDS.toMillis(inbox.firstArrivalNanos() - readStart))
                .isGreaterThanOrEqualTo(GRACE.toMillis() - 20);
        assertThat(pendingCount(stream, name)).isZero();
    }
}
