package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulse.pool.Job;
import io.pulse.pool.JobHandler;
import io.pulse.streaming.Event;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Users unit-test their stream subscribers and job handlers without Redis, with the public factories of
 * {@link Event} and {@link Job}; this class uses nothing else of Pulse, as a user's test would.
 */
class HandlerUnitTestTest {

    @Test
    void aSubscriberIsTestedWithEventsMadeByTheFactory() {
        List<String> seen = new ArrayList<>();
        Consumer<Event> subscriber = e -> seen.add(e.streamName() + "/" + e.eventName() + "/" + e.topic() + "/"
                + new String(e.payload(), StandardCharsets.UTF_8));
        subscriber.accept(Event.of("users", "user.created", bytes("ada")));
        subscriber.accept(Event.of("1700000000000-3", "users", "audit", "user.deleted", "eu", bytes("bob")));
        assertThat(seen).containsExactly("users/user.created//ada", "users/user.deleted/eu/bob");

        Event full = Event.of("1700000000000-3", "users", "audit", "user.deleted", "eu", bytes("bob"));
        assertThat(full.id()).isEqualTo("1700000000000-3");
        assertThat(full.sinkName()).isEqualTo("audit");
        assertThat(full.createdAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        Event simple = Event.of("users", "user.created", bytes("ada"));
        assertThat(simple.sinkName()).isEmpty();
        assertThat(simple.createdAt()).isBeforeOrEqualTo(Instant.now());
    }

    @Test
    void theEventFactoryRefusesWhatNoStreamHolds() {
        assertThatThrownBy(() -> Event.of("not-an-id", "users", "", "e", "", bytes("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not-an-id");
        assertThatThrownBy(() -> Event.of("users", "e", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("payload");
        assertThatThrownBy(() -> Event.of(null, "e", bytes("x"))).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("streamName");
    }

    @Test
    void aJobHandlerIsTestedWithJobsMadeByTheFactory() throws Exception {
        List<String> log = new ArrayList<>();
        JobHandler handler = new JobHandler() {
            @Override
            public void start(Job job) {
                log.add("start " + job.key() + " " + new String(job.payload(), StandardCharsets.UTF_8)
                        + (job.requeued() ? " again" : ""));
            }

            @Override
            public void stop(String key) {
                log.add("stop " + key);
            }
        };
        handler.start(Job.of("user:1", bytes("welcome")));
        Instant dispatched = Instant.parse("2024-01-02T03:04:05Z");
        Job moved = Job.of("user:2", bytes("welcome"), dispatched, "node-a", true);
        handler.start(moved);
        handler.stop("user:1");
        assertThat(log).containsExactly("start user:1 welcome", "start user:2 welcome again", "stop user:1");
        assertThat(moved.createdAt()).isEqualTo(dispatched);
        assertThat(moved.nodeId()).isEqualTo("node-a");
        assertThat(Job.of("k", bytes("p")).requeued()).isFalse();
        assertThatThrownBy(() -> Job.of(null, bytes("p"))).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("key");
        assertThatThrownBy(() -> Job.of("k", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("payload");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
