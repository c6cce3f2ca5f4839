package io.pulse.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseRedis;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class StreamSmokeTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void readerAndSinkSeeAnAddedEvent() {
        PulseRedis redis = REDIS.newPulseRedis();
        Stream stream = Stream.open(RedisServerExtension.uniqueName("smoke"), redis);
        Reader reader = stream.reader().blockDuration(Duration.ofMillis(200)).open();
        Sink sink = stream.sink("smoke").blockDuration(Duration.ofMillis(200)).open();
        String id = stream.add("hello", "world".getBytes(StandardCharsets.UTF_8), AddOptions.topic("t1"));
        List<Event> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> got.addAll(reader.read()) || !got.isEmpty());
        assertThat(got).hasSize(1);
        assertThat(got.get(0).id()).isEqualTo(id);
        assertThat(got.get(0).topic()).isEqualTo("t1");
        List<Event> fromSink = new CopyOnWriteArrayList<>();
        sink.subscribe(e -> {
            fromSink.add(e);
            sink.ack(e);
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> fromSink.size() == 1);
        assertThat(fromSink.get(0).sinkName()).isEqualTo("smoke");
        assertThat(REDIS.cli().xpending(GoKeys.stream(stream.name()), "smoke").getCount()).isZero();
        reader.close();
        sink.close();
        sink.close();
    }
}
