package io.pulse.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseRedis;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RecordingLogger;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.event.Level;

/** The sink's claim lease key holds a value of the wrong type: re-claiming goes on, the log stays quiet. */
class SinkLeaseFaultTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void aWrongTypeLeaseKeyIsLoggedOnceWithoutStackTraceAndIdleEventsAreStillReclaimed() {
        PulseRedis redis = REDIS.newPulseRedis();
        RecordingLogger log = new RecordingLogger();
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("lease"), redis).logger(log).open();
        String sinkName = RedisServerExtension.uniqueName("leased");
        REDIS.cli().hset(GoKeys.staleLease(sinkName), "not", "a string");
        Sink sink = stream.sink(sinkName).ackGracePeriod(Duration.ofMillis(500)).claimPeriod(Duration.ofMillis(50))
                .blockDuration(Duration.ofMillis(100)).open();
        String id = stream.add("e", "x".getBytes(StandardCharsets.UTF_8));

        List<String> deliveries = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            sink.read().forEach(e -> deliveries.add(e.id()));
            return deliveries.size() >= 2;
        });
        // never acknowledged: re-claimed after the grace period although the lease is unusable
        assertThat(deliveries).containsOnly(id);
        // throughout about 60 more claim rounds, still one warning, without a stack trace
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> log.lines(Level.WARN, "claim lease").size() == 1);
        List<RecordingLogger.Line> warnings = log.lines(Level.WARN, "claim lease");
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).throwable()).isNull();
        assertThat(warnings.get(0).message()).contains("WRONGTYPE");
        assertThat(log.lines(Level.WARN, "idle-event check failed")).isEmpty();
        sink.close();
    }
}
