package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisSentinelExtension;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pulse through {@code redis-sentinel://}: when the master dies and the Sentinels promote its replica,
 * maps, sinks and pools follow the new master by themselves.
 */
class RedisSentinelTest {

    @RegisterExtension
    static final RedisSentinelExtension SENTINEL = new RedisSentinelExtension();

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @Test
    void mapsSinksAndPoolsFollowThePromotedReplica() {
        PulseRedis writerSide = SENTINEL.newPulseRedis();
        PulseRedis readerSide = SENTINEL.newPulseRedis();
        ReplicatedMap writer = SENTINEL.track(ReplicatedMap.join("flags", writerSide));
        ReplicatedMap replica = SENTINEL.track(ReplicatedMap.join("flags", readerSide));
        Stream stream = Stream.open("orders", writerSide);
        Sink sink = SENTINEL.track(Stream.open("orders", readerSide).sink("billing")
                .blockDuration(Duration.ofMillis(200)).open());
        Set<String> received = ConcurrentHashMap.newKeySet();
        SENTINEL.track(sink.subscribe(e -> {
            received.add(new String(e.payload(), StandardCharsets.UTF_8));
            sink.ack(e);
        }));
        Node worker = SENTINEL.track(Node.builder("mail", readerSide).workerTtl(Duration.ofSeconds(2))
                .ackGracePeriod(Duration.ofSeconds(1)).jobSinkBlockDuration(Duration.ofMillis(200)).join());
        RecordingHandler handler = new RecordingHandler();
        worker.addWorker(handler);
        Node producer = SENTINEL.track(Node.builder("mail", writerSide).clientOnly().join());

        writer.set("before", "1");
        stream.add("e", "before".getBytes(StandardCharsets.UTF_8));
        producer.dispatchJob("before", new byte[0]);
        await().atMost(DEADLINE).until(() -> replica.get("before").isPresent() && received.contains("before")
                && handler.running.containsKey("before"));

        int oldMaster = SENTINEL.masterPort();
        int newMaster = SENTINEL.killMasterAndAwaitFailover();
        assertThat(newMaster).isNotEqualTo(oldMaster);

        // every component goes on by itself once its connection found the promoted replica
        await().atMost(DEADLINE).ignoreExceptions().until(() -> {
            writer.set("after", "2");
            return true;
        });
        await().atMost(DEADLINE).ignoreExceptions().until(() -> {
            stream.add("e", "after".getBytes(StandardCharsets.UTF_8));
            return true;
        });
        await().atMost(DEADLINE).ignoreExceptions().until(() -> {
            producer.dispatchJob("after", new byte[0]);
            return true;
        });
        await().atMost(DEADLINE).untilAsserted(() -> {
            assertThat(replica.get("after")).contains("2");
            assertThat(received).contains("after");
            assertThat(handler.running).containsKey("after");
        });
        // the replica holds what the new master holds: it resynced after the switch
        Map<String, String> onMaster = SENTINEL.onPort(newMaster, c -> c.hgetall(writerSide.layout().mapContentKey("flags")));
        Map<String, String> expected = new java.util.HashMap<>(onMaster);
        expected.keySet().removeIf(k -> k.startsWith("="));
        assertThat(expected).containsEntry("after", "2");
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(replica.snapshot()).isEqualTo(expected));
        assertThat(List.of(writer.isClosed(), replica.isClosed(), sink.isClosed(), worker.isClosed())).containsOnly(false);
    }
}
