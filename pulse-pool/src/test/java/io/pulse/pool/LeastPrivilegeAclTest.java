package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseRedis;
import io.pulse.core.Subscription;
import io.pulse.testing.LeastPrivilegeAcl;
import io.pulse.testing.RedisServerExtension;
import io.pulse.rmap.MapEvent;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.streaming.Event;
import io.pulse.streaming.Reader;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Everything Pulse does, as a Redis user with only README's least-privilege ACL (nothing
 * {@code @dangerous}): maps, readers, sinks and a pool work, closes stay prompt, and Redis's
 * {@code ACL LOG} records no denied command, key or channel.
 */
class LeastPrivilegeAclTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration LONG = Duration.ofSeconds(30);
    private static String uri;

    @BeforeAll
    static void createUser() {
        uri = LeastPrivilegeAcl.createUser(REDIS.cli(), REDIS.uri(), "pulse-app");
    }

    @BeforeEach
    void clearAclLog() {
        REDIS.cli().aclLogReset();
    }

    private PulseRedis connect() {
        return REDIS.track(PulseRedis.connect(uri));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a connection is blocked in {@code command} right now (flag {@code b} in CLIENT LIST). */
    private static boolean blockedIn(String command) {
        return REDIS.cli().clientList().lines()
                .anyMatch(l -> l.contains(" flags=b ") && l.contains(" cmd=" + command + " "));
    }

    private static void assertNothingDenied() {
        assertThat(REDIS.cli().aclLog()).as("ACL LOG").isEmpty();
    }

    @Test
    void readmeGivesExactlyTheRulesThisTestGrants() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertThat(readme.contains(LeastPrivilegeAcl.rulesLine())).as("README holds the rules: %s",
                LeastPrivilegeAcl.rulesLine()).isTrue();
        assertThat(LeastPrivilegeAcl.RULES).noneMatch(r -> r.contains("@dangerous") || r.contains("@admin")
                || r.equals("+client") || r.startsWith("+client|") || r.equals("+@all") || r.equals("allcommands"));
    }

    @Test
    void replicatedMapsWorkUnderTheLeastPrivilegeUser() {
        PulseRedis redis = connect();
        String name = RedisServerExtension.uniqueName("acl-map");
        ReplicatedMap map = ReplicatedMap.builder(name, redis).ttl(Duration.ofMinutes(5)).join();
        ReplicatedMap other = ReplicatedMap.join(name, connect());
        List<MapEvent> events = new CopyOnWriteArrayList<>();
        Subscription sub = other.subscribe(events::add);
        map.setAndWait("k", "v");
        assertThat(map.setIfAbsent("k2", "v2")).isTrue();
        assertThat(map.testAndSet("k", "v", "w")).isEqualTo("v");
        assertThat(map.inc("n", 2)).isEqualTo(2);
        assertThat(map.appendValues("l", "a", "b")).containsExactly("a", "b");
        assertThat(map.appendUniqueValues("l", "b", "c")).containsExactly("a", "b", "c");
        assertThat(map.removeValues("l", "a")).containsExactly("b", "c");
        assertThat(map.delete("k2")).isEqualTo("v2");
        assertThat(map.testAndDelete("n", "2")).isEqualTo("2");
        await().atMost(LONG).until(() -> other.get("k").orElse("").equals("w"));
        assertThat(map.testAndReset(java.util.Map.of("k", "w"))).isTrue();
        map.set("after", "reset");
        map.reset();
        map.destroy();
        await().atMost(LONG).until(() -> events.size() >= 10);
        sub.close();
        map.close();
        other.close();
        assertNothingDenied();
    }

    @Test
    void readersAndSinksWorkAndCloseBlockedReadsPromptly() {
        PulseRedis redis = connect();
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("acl-stream"), redis).maxLen(50)
                .slidingTtl(Duration.ofMinutes(5)).open();
        Stream second = Stream.open(RedisServerExtension.uniqueName("acl-second"), redis);
        Reader reader = stream.reader().startAtOldest().blockDuration(Duration.ofSeconds(30)).open();
        Sink sink = stream.sink(RedisServerExtension.uniqueName("acl-sink")).startAtOldest()
                .blockDuration(Duration.ofSeconds(30)).ackGracePeriod(Duration.ofMillis(500)).open();
        List<String> pushed = new CopyOnWriteArrayList<>();
        Subscription push = reader.subscribe(e -> pushed.add(e.id()));

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ids.add(stream.add("e", utf8("payload-" + i)));
        }
        await().atMost(LONG).until(() -> pushed.size() >= 50);
        // a sink event left unacknowledged comes back after the grace period (claim round, lease)
        List<Event> first = sink.read(Duration.ofSeconds(5));
        assertThat(first).isNotEmpty();
        List<Event> again = new ArrayList<>();
        await().atMost(LONG).until(() -> {
            again.addAll(sink.read(Duration.ofMillis(200)));
            return again.stream().anyMatch(e -> e.id().equals(first.get(0).id()));
        });
        sink.ack(first);
        sink.ack(again);
        // fan-in changes wake blocked reads without CLIENT UNBLOCK
        CompletableFuture<List<Event>> blocked = CompletableFuture.supplyAsync(() -> reader.read());
        await().atMost(LONG).until(() -> blockedIn("xread"));
        reader.addStream(second);
        String onSecond = second.add("e", utf8("second"));
        await().atMost(LONG).until(() -> pushed.contains(onSecond));
        assertThat(blocked).succeedsWithin(LONG);
        sink.addStream(second);
        sink.removeStream(second);
        reader.removeStream(second);

        // a sink blocked in a 30 s read closes at once
        CompletableFuture<List<Event>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return sink.read();
            } catch (RuntimeException e) {
                return List.of();
            }
        });
        await().atMost(LONG).until(() -> blockedIn("xreadgroup"));
        long start = System.nanoTime();
        sink.close();
        push.close();
        reader.close();
        assertThat(waiting).succeedsWithin(Duration.ofSeconds(5));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("closing blocked reads").isLessThan(Duration.ofSeconds(5));
        assertThat(stream.remove(ids.get(ids.size() - 1))).isEqualTo(1);
        stream.destroy();
        second.destroy();
        assertNothingDenied();
    }

    @Test
    void aPoolDispatchesSchedulesTicksAndShutsDownUnderTheLeastPrivilegeUser() {
        String pool = RedisServerExtension.uniqueName("acl-pool");
        Set<String> running = ConcurrentHashMap.newKeySet();
        List<String> notified = new CopyOnWriteArrayList<>();
        JobHandler handler = new JobHandler() {
            @Override
            public void start(Job job) {
                running.add(job.key());
            }

            @Override
            public void stop(String key) {
                running.remove(key);
            }

            @Override
            public void handleNotification(String key, byte[] payload) {
                notified.add(key);
            }
        };
        Node node = Node.builder(pool, connect()).workerTtl(Duration.ofSeconds(2)).ackGracePeriod(Duration.ofSeconds(1))
                .jobSinkBlockDuration(Duration.ofMillis(200)).workerShutdownTtl(Duration.ofSeconds(2)).join();
        node.addWorker(handler);
        Node other = Node.builder(pool, connect()).workerTtl(Duration.ofSeconds(2)).ackGracePeriod(Duration.ofSeconds(1))
                .jobSinkBlockDuration(Duration.ofMillis(200)).workerShutdownTtl(Duration.ofSeconds(2)).join();
        other.addWorker(handler);
        Node producer = Node.builder(pool, connect()).clientOnly().join();
        for (int i = 0; i < 10; i++) {
            producer.dispatchJob("job-" + i, utf8("p" + i));
        }
        assertThat(running).hasSize(10);
        producer.notifyWorker("job-3", utf8("hello"));
        await().atMost(LONG).until(() -> notified.contains("job-3"));
        producer.stopJob("job-4");
        await().atMost(LONG).until(() -> !running.contains("job-4"));
        assertThat(producer.jobPayload("job-5")).isPresent();
        assertThat(producer.poolWorkers()).hasSize(2);
        Schedule schedule = node.schedule("plan", Duration.ofMillis(200),
                () -> JobPlan.of(List.of(new JobSpec("scheduled", new byte[0])), List.of()));
        await().atMost(LONG).until(() -> running.contains("scheduled"));
        schedule.cancel();
        List<Instant> ticks = new CopyOnWriteArrayList<>();
        Ticker ticker = node.ticker("tick", Duration.ofMillis(200));
        Subscription tickSub = ticker.subscribe(ticks::add);
        await().atMost(LONG).until(() -> ticks.size() >= 2);
        tickSub.close();
        ticker.close();
        other.close();
        producer.close();
        node.shutdown();
        assertThat(running).isEmpty();
        assertNothingDenied();
    }
}
