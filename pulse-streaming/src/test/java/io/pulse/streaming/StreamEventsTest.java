package io.pulse.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseRedis;
import io.pulse.testing.RecordingEventListener;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The events streams, readers and sinks report to the event hook, each once per real occurrence. */
class StreamEventsTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final byte[] PAYLOAD = "{}".getBytes(StandardCharsets.UTF_8);

    private static PulseRedis observed(RecordingEventListener events) {
        return REDIS.track(PulseRedis.builder(REDIS.uri()).eventListener(events).connect());
    }

    @Test
    void addsReadsAndAcksAreCountedPerStreamAndSink() {
        RecordingEventListener events = new RecordingEventListener();
        String name = RedisServerExtension.uniqueName("observed");
        Stream stream = Stream.open(name, observed(events));
        Sink sink = stream.sink("billing").startAtOldest().blockDuration(Duration.ofMillis(100)).open();
        for (int i = 0; i < 5; i++) {
            stream.add("created", PAYLOAD);
        }
        List<Event> read = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            read.addAll(sink.read());
            return read.size() == 5;
        });
        sink.ack(read);
        assertThat(events.count("streamAdded", name)).isEqualTo(5);
        assertThat(events.sum(2, "streamRead", name, "billing")).isEqualTo(5);
        assertThat(events.sum(2, "streamAcked", name, "billing")).isEqualTo(5);
        assertThat(events.count("sinkJoined", name, "billing", sink.consumer())).isEqualTo(1);
        sink.close();
        sink.close();
        assertThat(events.count("sinkLeft", name, "billing", sink.consumer())).isEqualTo(1);
        assertThat(events.count("streamRedelivered")).isZero();
    }

    @Test
    void acksOfSingleEventsSentTogetherAreCountedToo() {
        RecordingEventListener events = new RecordingEventListener();
        String name = RedisServerExtension.uniqueName("coalesced");
        Stream stream = Stream.open(name, observed(events));
        Sink sink = stream.sink("mail").startAtOldest().blockDuration(Duration.ofMillis(100)).open();
        List<CompletableFuture<Void>> acks = new CopyOnWriteArrayList<>();
        sink.subscribe(e -> acks.add(sink.ackAsync(e)));
        for (int i = 0; i < 20; i++) {
            stream.add("created", PAYLOAD);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> acks.size() == 20);
        CompletableFuture.allOf(acks.toArray(new CompletableFuture[0])).join();
        assertThat(events.sum(2, "streamAcked", name, "mail")).isEqualTo(20);
        sink.close();
    }

    @Test
    void pushedEventsOfAReaderAreReportedWithoutASink() {
        RecordingEventListener events = new RecordingEventListener();
        String name = RedisServerExtension.uniqueName("pushed");
        Stream stream = Stream.open(name, observed(events));
        Reader reader = stream.reader().startAtOldest().blockDuration(Duration.ofMillis(100)).open();
        List<Event> seen = new CopyOnWriteArrayList<>();
        reader.subscribe(seen::add);
        for (int i = 0; i < 3; i++) {
            stream.add("created", PAYLOAD);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.sum(2, "streamRead", name, "") == 3);
        reader.close();
    }

    @Test
    void anEventLeftUnacknowledgedPastTheGracePeriodIsReportedRedeliveredOnce() {
        RecordingEventListener events = new RecordingEventListener();
        PulseRedis redis = observed(events);
        String name = RedisServerExtension.uniqueName("redelivered");
        Stream stream = Stream.open(name, redis);
        Sink.Builder builder = stream.sink("mail").startAtOldest().blockDuration(Duration.ofMillis(100))
                .ackGracePeriod(Duration.ofMillis(500)).claimPeriod(Duration.ofMillis(100));
        Sink forgetful = builder.open();
        Sink careful = builder.open();
        stream.add("send", PAYLOAD);
        await().atMost(Duration.ofSeconds(10)).until(() -> !forgetful.read().isEmpty());
        forgetful.close();
        List<Event> again = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            again.addAll(careful.read());
            return !again.isEmpty();
        });
        careful.ack(again);
        assertThat(events.sum(2, "streamRedelivered", name, "mail")).isEqualTo(1);
        careful.close();
    }

    @Test
    void trimmingReportsHowManyEventsItRemoved() {
        RecordingEventListener events = new RecordingEventListener();
        String name = RedisServerExtension.uniqueName("trimmed");
        Stream stream = Stream.builder(name, observed(events)).maxLen(10).open();
        for (int i = 0; i < 50; i++) {
            stream.add("tick", PAYLOAD);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> REDIS.cli().xlen(stream.layout().streamKey(name)) <= 20);
        long length = REDIS.cli().xlen(stream.layout().streamKey(name));
        await().atMost(Duration.ofSeconds(10)).until(() -> events.sum(1, "streamTrimmed", name) == 50 - length);
    }
}
