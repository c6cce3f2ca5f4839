package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pulse.core.OutcomeUnknownException;
import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisClusterExtension;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.streaming.Event;
import io.pulse.streaming.Reader;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Maps, streams and pools on a real 3-master Redis Cluster: spread over every shard, all at work at
 * once, each component unchanged for its user.
 */
class RedisClusterTest {

    @RegisterExtension
    static final RedisClusterExtension CLUSTER = new RedisClusterExtension();

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void thirtyMapsSpreadOverEveryShardReplicateBetweenProcesses() {
        PulseRedis writerSide = CLUSTER.newPulseRedis();
        PulseRedis readerSide = CLUSTER.newPulseRedis();
        List<ReplicatedMap> writers = new ArrayList<>();
        List<ReplicatedMap> replicas = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            writers.add(CLUSTER.track(ReplicatedMap.join("cfg-" + i, writerSide)));
            replicas.add(CLUSTER.track(ReplicatedMap.join("cfg-" + i, readerSide)));
        }
        List<CompletableFuture<String>> writes = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            for (int k = 0; k < 10; k++) {
                writes.add(writers.get(i).setAsync("k" + k, "v" + i + "-" + k));
            }
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
        for (int i = 0; i < 30; i++) {
            ReplicatedMap replica = replicas.get(i);
            int n = i;
            await().atMost(DEADLINE).untilAsserted(() -> {
                assertThat(replica.size()).isEqualTo(10);
                assertThat(replica.get("k9")).contains("v" + n + "-9");
            });
        }
        Set<Integer> shards = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            String key = writerSide.layout().mapContentKey("cfg-" + i);
            assertThat(CLUSTER.cli().exists(key)).isEqualTo(1);
            shards.add(CLUSTER.masterOfKey(key));
        }
        assertThat(shards).as("masters holding the maps").hasSize(3);
    }

    @Test
    void thirtyStreamsWithSinksOnEveryShardDeliverEveryEvent() {
        PulseRedis redis = CLUSTER.newPulseRedis();
        List<Stream> streams = new ArrayList<>();
        List<Sink> sinks = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Stream stream = Stream.open("events-" + i, redis);
            streams.add(stream);
            sinks.add(CLUSTER.track(stream.sink("audit").blockDuration(Duration.ofMillis(200)).open()));
        }
        List<CompletableFuture<String>> adds = new ArrayList<>();
        for (int n = 0; n < 20; n++) {
            for (Stream stream : streams) {
                adds.add(stream.addAsync("e", Integer.toString(n).getBytes(StandardCharsets.UTF_8)));
            }
        }
        CompletableFuture.allOf(adds.toArray(CompletableFuture[]::new)).join();
        for (Sink sink : sinks) {
            List<Event> got = new ArrayList<>();
            await().atMost(DEADLINE).until(() -> {
                List<Event> read = sink.read(Duration.ofMillis(200));
                got.addAll(read);
                sink.ack(read);
                return got.size() >= 20;
            });
            assertThat(got).extracting(e -> new String(e.payload(), StandardCharsets.UTF_8))
                    .containsExactlyElementsOf(numbers(20));
        }
        Set<Integer> shards = new HashSet<>();
        for (Stream stream : streams) {
            String key = redis.layout().streamKey(stream.name());
            shards.add(CLUSTER.masterOfKey(key));
            // the sink's state lives in the stream's slot
            assertThat(RedisClusterExtension.slotOf(redis.layout().mapContentKey(
                    redis.layout().sinkRegistryMap(stream.name())))).isEqualTo(RedisClusterExtension.slotOf(key));
        }
        assertThat(shards).as("masters holding the streams").hasSize(3);
    }

    @Test
    void aFanInReaderAndSinkOverStreamsOnDifferentShardsGetEveryEventInPerStreamOrder() {
        PulseRedis redis = CLUSTER.newPulseRedis();
        List<String> names = onEveryShard("fanin", n -> redis.layout().streamKey(n), 2);
        List<Stream> streams = names.stream().map(n -> Stream.open(n, redis)).toList();
        Reader reader = CLUSTER.track(streams.get(0).reader().startAtOldest().blockDuration(Duration.ofMillis(300))
                .open());
        Sink sink = CLUSTER.track(streams.get(0).sink("fan").startAtOldest().blockDuration(Duration.ofMillis(300))
                .open());
        for (Stream stream : streams.subList(1, streams.size())) {
            reader.addStream(stream, "0-0");
            sink.addStream(stream, "0-0");
        }
        Map<String, List<String>> byReader = new ConcurrentHashMap<>();
        CLUSTER.track(reader.subscribe(e -> byReader.computeIfAbsent(e.streamName(), k -> new CopyOnWriteArrayList<>())
                .add(new String(e.payload(), StandardCharsets.UTF_8))));
        Map<String, List<String>> bySink = new ConcurrentHashMap<>();
        CLUSTER.track(sink.subscribe(e -> {
            bySink.computeIfAbsent(e.streamName(), k -> new CopyOnWriteArrayList<>())
                    .add(new String(e.payload(), StandardCharsets.UTF_8));
            sink.ack(e);
        }));
        int perStream = 50;
        for (int n = 0; n < perStream; n++) {
            for (Stream stream : streams) {
                stream.add("e", Integer.toString(n).getBytes(StandardCharsets.UTF_8));
            }
        }
        for (String name : names) {
            await().atMost(DEADLINE).untilAsserted(() -> {
                assertThat(byReader.get(name)).as("reader, " + name).containsExactlyElementsOf(numbers(perStream));
                assertThat(bySink.get(name)).as("sink, " + name).containsExactlyElementsOf(numbers(perStream));
            });
        }
    }

    @Test
    void threePoolsOnDifferentShardsRunTheirJobs() {
        PulseRedis redis = CLUSTER.newPulseRedis();
        List<String> pools = onEveryShard("jobs", n -> redis.layout().mapContentKey(
                redis.layout().poolMap(n, io.pulse.core.KeyLayout.PoolMap.WORKERS)), 1);
        Map<String, List<RecordingHandler>> handlers = new LinkedHashMap<>();
        List<Node> producers = new ArrayList<>();
        for (String pool : pools) {
            Node node = CLUSTER.track(fast(pool, CLUSTER.newPulseRedis()).join());
            RecordingHandler first = new RecordingHandler();
            RecordingHandler second = new RecordingHandler(first.runs);
            node.addWorker(first);
            node.addWorker(second);
            handlers.put(pool, List.of(first, second));
            producers.add(CLUSTER.track(fast(pool, redis).clientOnly().join()));
        }
        for (Node producer : producers) {
            for (int j = 0; j < 20; j++) {
                producer.dispatchJob("job-" + j, ("p" + j).getBytes(StandardCharsets.UTF_8));
            }
        }
        for (Node producer : producers) {
            await().atMost(DEADLINE).until(() -> producer.jobKeys().size() == 20);
        }
        for (List<RecordingHandler> workers : handlers.values()) {
            await().atMost(DEADLINE).until(() -> workers.get(0).running.size() + workers.get(1).running.size() == 20);
            assertThat(workers.get(0).runs.overlapped).isEmpty();
        }
        Set<Integer> shards = new HashSet<>();
        for (String pool : pools) {
            KeysOfPool keys = new KeysOfPool(redis, pool);
            assertThat(keys.slots()).as("slots of pool " + pool).hasSize(1);
            shards.add(CLUSTER.masterOfKey(keys.workersKey()));
        }
        assertThat(shards).hasSize(3);
    }

    @Test
    void waitForReplicasFailsAWriteNoReplicaAcknowledgedAndPlainWritesDoNot() {
        PulseRedis safe = CLUSTER.track(PulseRedis.clusterBuilder(CLUSTER.seeds())
                .waitForReplicas(1, Duration.ofMillis(500)).connect());
        PulseRedis plain = CLUSTER.newPulseRedis();
        ReplicatedMap safeMap = CLUSTER.track(ReplicatedMap.join("durable", safe));
        ReplicatedMap plainMap = CLUSTER.track(ReplicatedMap.join("durable", plain));
        safeMap.set("first", "1");
        int replica = CLUSTER.replicasOf(CLUSTER.masterOfKey(safe.layout().mapContentKey("durable"))).get(0);
        CLUSTER.pause(replica);
        try {
            // the master took the write but its replica cannot have it: a failover now would lose it
            assertThatThrownBy(() -> safeMap.set("second", "2")).isInstanceOf(OutcomeUnknownException.class)
                    .hasMessageContaining("acknowledged by 0 of the 1 replicas");
            plainMap.set("third", "3"); // without the option the master's answer is enough
            assertThat(CLUSTER.cli().hget(plain.layout().mapContentKey("durable"), "third")).isEqualTo("3");
        } finally {
            CLUSTER.resume(replica);
        }
        await().atMost(DEADLINE).ignoreExceptions().until(() -> {
            safeMap.set("fourth", "4");
            return true;
        });
    }

    @Test
    void movingTheSlotOfALiveMapAndPoolLosesNothing() throws Exception {
        PulseRedis writerSide = CLUSTER.newPulseRedis();
        PulseRedis readerSide = CLUSTER.newPulseRedis();
        String name = "moving";
        ReplicatedMap map = CLUSTER.track(ReplicatedMap.join(name, writerSide));
        ReplicatedMap replica = CLUSTER.track(ReplicatedMap.join(name, readerSide));
        Node worker = CLUSTER.track(fast(name, readerSide).join());
        RecordingHandler handler = new RecordingHandler();
        worker.addWorker(handler);
        Node producer = CLUSTER.track(fast(name, writerSide).clientOnly().join());
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                try {
                    map.set("k" + i, "v");
                    producer.dispatchJob("k" + i, new byte[0]);
                    acknowledged.add("k" + i);
                } catch (RuntimeException e) {
                    // not acknowledged: not counted
                }
            }
        }, "reshard-writer");
        writer.start();
        try {
            await().atMost(DEADLINE).until(() -> acknowledged.size() >= 30);
            int slot = RedisClusterExtension.slotOf(writerSide.layout().mapContentKey(name));
            int source = CLUSTER.masterOfSlot(slot);
            int target = CLUSTER.masters().keySet().stream().filter(p -> p != source).findFirst().orElseThrow();
            CLUSTER.moveSlot(slot, target);
            assertThat(CLUSTER.masterOfKey(writerSide.layout().mapContentKey(name))).isEqualTo(target);
            int before = acknowledged.size();
            await().atMost(DEADLINE).until(() -> acknowledged.size() >= before + 30);
        } finally {
            stop.set(true);
            writer.join(DEADLINE.toMillis());
        }
        Map<String, String> content = new java.util.HashMap<>(CLUSTER.cli().hgetall(writerSide.layout().mapContentKey(name)));
        content.keySet().removeIf(k -> k.startsWith("="));
        assertThat(content.keySet()).containsAll(acknowledged);
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(replica.snapshot()).isEqualTo(content));
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(handler.running.keySet()).containsAll(acknowledged));
    }

    /** Names {@code base-i}, {@code perShard} of them on each of the three masters (by {@code key}). */
    private static List<String> onEveryShard(String base, Function<String, String> key, int perShard) {
        Map<Integer, List<String>> byMaster = new LinkedHashMap<>();
        for (int i = 0; byMaster.size() < 3 || byMaster.values().stream().anyMatch(l -> l.size() < perShard); i++) {
            String name = base + "-" + i;
            List<String> names = byMaster.computeIfAbsent(CLUSTER.masterOfKey(key.apply(name)), m -> new ArrayList<>());
            if (names.size() < perShard) {
                names.add(name);
            }
        }
        return byMaster.values().stream().flatMap(List::stream).toList();
    }

    private static List<String> numbers(int count) {
        List<String> numbers = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            numbers.add(Integer.toString(n));
        }
        return numbers;
    }

    private static Node.Builder fast(String pool, PulseRedis redis) {
        return Node.builder(pool, redis).workerTtl(Duration.ofSeconds(2)).ackGracePeriod(Duration.ofSeconds(1))
                .jobSinkBlockDuration(Duration.ofMillis(200)).workerShutdownTtl(Duration.ofSeconds(2));
    }

    /** The Redis keys a pool holds now, found with a scan of every master. */
    private record KeysOfPool(PulseRedis redis, String pool) {
        String workersKey() {
            return redis.layout().mapContentKey(redis.layout().poolMap(pool, io.pulse.core.KeyLayout.PoolMap.WORKERS));
        }

        Set<Integer> slots() {
            Set<Integer> slots = new HashSet<>();
            String tag = "{" + pool + "}";
            for (int port : CLUSTER.masters().keySet()) {
                CLUSTER.onNode(port, c -> c.keys("*" + tag + "*")).forEach(k -> slots.add(RedisClusterExtension.slotOf(k)));
            }
            assertThat(slots).as("the pool " + pool + " has keys").isNotEmpty();
            return slots;
        }
    }
}
