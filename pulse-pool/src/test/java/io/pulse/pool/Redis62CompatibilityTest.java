package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisServerExtension;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.streaming.Event;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every building block on Redis 6.2, the oldest version Pulse supports (no EXPIRE NX, older XINFO
 * fields), whatever Redis the other tests use.
 */
class Redis62CompatibilityTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = RedisServerExtension.oldestSupported();

    private static final Duration LONG = Duration.ofSeconds(30);

    @Test
    void runsOnRedis62() {
        assertThat(REDIS.cli().info("server")).contains("redis_version:6.2");
    }

    @Test
    void mapsWithTtlStreamsWithTrimmingAndReclaimingSinksWorkOnRedis62() {
        PulseRedis redis = REDIS.newPulseRedis();
        ReplicatedMap map = ReplicatedMap.builder(RedisServerExtension.uniqueName("map62"), redis)
                .ttl(Duration.ofSeconds(30)).join();
        map.setAndWait("k", "v");
        assertThat(map.appendUniqueValues("l", "a", "b")).containsExactly("a", "b");
        assertThat(REDIS.cli().pttl("map:" + map.name() + ":content")).isBetween(1L, 30_000L);

        Stream stream = Stream.builder(RedisServerExtension.uniqueName("stream62"), redis).maxLen(20)
                .slidingTtl(Duration.ofSeconds(30)).open();
        Sink sink = stream.sink("s62").startAtOldest().blockDuration(Duration.ofMillis(200))
                .ackGracePeriod(Duration.ofMillis(300)).open();
        for (int i = 0; i < 100; i++) {
            stream.add("e", new byte[] {(byte) i});
        }
        // trimming ran (XINFO GROUPS and XPENDING as 6.2 answers them) yet kept the undelivered tail
        await().atMost(LONG).until(() -> REDIS.cli().xlen("pulse:stream:" + stream.name()) < 100);
        List<Event> read = new ArrayList<>();
        await().atMost(LONG).until(() -> {
            read.addAll(sink.read(Duration.ofMillis(200)));
            return !read.isEmpty();
        });
        // not acknowledged: XAUTOCLAIM hands the events back after the grace period
        String first = read.get(0).id();
        List<Event> again = new ArrayList<>();
        await().atMost(LONG).until(() -> {
            again.addAll(sink.read(Duration.ofMillis(200)));
            return again.stream().anyMatch(e -> e.id().equals(first));
        });
        sink.close();
        map.close();
    }

    @Test
    void poolsDispatchRebalanceAndScheduleOnRedis62() {
        String pool = RedisServerExtension.uniqueName("pool62");
        Set<String> running = ConcurrentHashMap.newKeySet();
        JobHandler handler = new JobHandler() {
            @Override
            public void start(Job job) {
                running.add(job.key());
            }

            @Override
            public void stop(String key) {
                running.remove(key);
            }
        };
        Node node = Node.builder(pool, REDIS.newPulseRedis()).workerTtl(Duration.ofSeconds(2))
                .ackGracePeriod(Duration.ofSeconds(1)).jobSinkBlockDuration(Duration.ofMillis(200)).join();
        node.addWorker(handler);
        for (int i = 0; i < 20; i++) {
            node.dispatchJob("job-" + i, new byte[0]);
        }
        node.addWorker(handler);
        node.schedule("plan62", Duration.ofMillis(200), () -> JobPlan.of(List.of(new JobSpec("scheduled", new byte[0])),
                List.of()));
        await().atMost(LONG).until(() -> running.size() == 21);
        node.shutdown();
        assertThat(running).isEmpty();
    }
}
