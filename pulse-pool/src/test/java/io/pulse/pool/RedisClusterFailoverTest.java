package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisClusterExtension;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster master is SIGKILLed while map writes, stream adds and dispatches flow to its shard: its
 * replica is promoted and every component goes on by itself. With
 * {@code waitForReplicas(1, ...)}, every call that returned is still there after the failover.
 */
class RedisClusterFailoverTest {

    @RegisterExtension
    static final RedisClusterExtension CLUSTER = new RedisClusterExtension();

    private static final Logger LOG = LoggerFactory.getLogger(RedisClusterFailoverTest.class);
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    /** What the writer got an answer for, and what it got after the failover. */
    private static final class Acknowledged {
        final Set<String> mapKeys = ConcurrentHashMap.newKeySet();
        final Set<String> eventIds = ConcurrentHashMap.newKeySet();
        final Set<String> jobs = ConcurrentHashMap.newKeySet();
        final Set<String> afterFailover = ConcurrentHashMap.newKeySet();
    }

    @Test
    void withWaitForReplicasNothingAcknowledgedIsLostWhenAMasterDies() throws Exception {
        Acknowledged acked = runThroughFailover("safe", true);
        Lost lost = lost("safe", acked);
        LOG.info("with waitForReplicas: acknowledged {} map writes, {} adds, {} dispatches; lost {}",
                acked.mapKeys.size(), acked.eventIds.size(), acked.jobs.size(), lost);
        assertThat(lost.total()).as("acknowledged but lost: " + lost).isZero();
    }

    @Test
    void withoutTheOptionEveryComponentStillGoesOnAndTheLossIsCounted() throws Exception {
        Acknowledged acked = runThroughFailover("fast", false);
        Lost lost = lost("fast", acked);
        // replication is asynchronous: what the dead master had not yet sent to its replica is gone
        LOG.info("without waitForReplicas: acknowledged {} map writes, {} adds, {} dispatches; lost {}",
                acked.mapKeys.size(), acked.eventIds.size(), acked.jobs.size(), lost);
        assertThat(acked.afterFailover).isNotEmpty();
    }

    private record Lost(int mapWrites, int adds, int dispatches) {
        int total() {
            return mapWrites + adds + dispatches;
        }
    }

    private static PulseRedis connect(boolean waitForReplicas) {
        PulseRedis.Builder builder = PulseRedis.clusterBuilder(CLUSTER.seeds()).reconnectWait(Duration.ofSeconds(10));
        if (waitForReplicas) {
            builder.waitForReplicas(1, Duration.ofSeconds(2));
        }
        return CLUSTER.track(builder.connect());
    }

    /** Writes to a map, a stream and a pool all on one shard, kills its master midway, writes on. */
    private static Acknowledged runThroughFailover(String base, boolean waitForReplicas) throws Exception {
        CLUSTER.awaitHealthy();
        PulseRedis writerSide = connect(waitForReplicas);
        PulseRedis readerSide = connect(false);
        String name = sameShardName(writerSide, base);
        ReplicatedMap map = CLUSTER.track(ReplicatedMap.join(name, writerSide));
        ReplicatedMap replica = CLUSTER.track(ReplicatedMap.join(name, readerSide));
        Stream stream = Stream.open(name, writerSide);
        Sink sink = CLUSTER.track(Stream.open(name, readerSide).sink("s").blockDuration(Duration.ofMillis(200)).open());
        Set<String> received = ConcurrentHashMap.newKeySet();
        CLUSTER.track(sink.subscribe(e -> {
            received.add(new String(e.payload(), StandardCharsets.UTF_8));
            sink.ack(e);
        }));
        Node worker = CLUSTER.track(Node.builder(name, readerSide).workerTtl(Duration.ofSeconds(3))
                .ackGracePeriod(Duration.ofSeconds(2)).jobSinkBlockDuration(Duration.ofMillis(200)).join());
        RecordingHandler handler = new RecordingHandler();
        worker.addWorker(handler);
        Node producer = CLUSTER.track(Node.builder(name, writerSide).clientOnly().join());
        int master = CLUSTER.masterOfKey(writerSide.layout().streamKey(name));

        Acknowledged acked = new Acknowledged();
        AtomicBoolean failedOver = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                String item = "i" + i;
                try {
                    map.set(item, "v");
                    acked.mapKeys.add(item);
                    acked.eventIds.add(stream.add("e", item.getBytes(StandardCharsets.UTF_8)) + " " + item);
                    producer.dispatchJob(item, new byte[0]);
                    acked.jobs.add(item);
                    if (failedOver.get()) {
                        acked.afterFailover.add(item);
                    }
                } catch (RuntimeException e) {
                    LOG.info("write {} failed: {}", item, e.toString());
                }
            }
        }, "failover-writer");
        writer.start();
        boolean restarted = false;
        try {
            await().atMost(DEADLINE).until(() -> acked.jobs.size() >= 50);
            CLUSTER.killMasterAndAwaitFailover(master);
            failedOver.set(true);
            if (waitForReplicas) {
                // the promoted master has no replica until the old one comes back as its replica: till
                // then every call fails with OutcomeUnknownException, as the option promises
                CLUSTER.restart(master);
                restarted = true;
                CLUSTER.awaitHealthy();
            }
            await().atMost(DEADLINE).until(() -> acked.afterFailover.size() >= 20);
        } finally {
            stop.set(true);
            writer.join(DEADLINE.toMillis());
            if (failedOver.get() && !restarted) {
                // it comes back as a replica of the promoted one, for the next test
                CLUSTER.restart(master);
            }
        }

        // every component went on by itself: the replica resynced, the sink and the worker got what came after
        Map<String, String> content = contentOf(writerSide, name);
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(replica.snapshot()).isEqualTo(content));
        for (String item : acked.afterFailover) {
            await().atMost(DEADLINE).untilAsserted(() -> {
                assertThat(received).contains(item);
                assertThat(handler.running).containsKey(item);
            });
        }
        CLUSTER.awaitHealthy();
        return acked;
    }

    /** What was acknowledged but is not in Redis after the failover. */
    private static Lost lost(String base, Acknowledged acked) {
        PulseRedis redis = CLUSTER.newPulseRedis();
        String name = sameShardName(redis, base);
        Map<String, String> content = contentOf(redis, name);
        int mapWrites = (int) acked.mapKeys.stream().filter(k -> !content.containsKey(k)).count();
        Set<String> entries = CLUSTER.cli().xrange(redis.layout().streamKey(name), io.lettuce.core.Range.create("-", "+"))
                .stream().map(m -> m.getId()).collect(Collectors.toSet());
        int adds = (int) acked.eventIds.stream().filter(e -> !entries.contains(e.split(" ")[0])).count();
        Set<String> jobKeys = Set.copyOf(CLUSTER.cli().hkeys(redis.layout().mapContentKey(
                redis.layout().poolMap(name, io.pulse.core.KeyLayout.PoolMap.JOB_PAYLOADS))));
        int dispatches = (int) acked.jobs.stream().filter(j -> !jobKeys.contains(j)).count();
        return new Lost(mapWrites, adds, dispatches);
    }

    private static Map<String, String> contentOf(PulseRedis redis, String map) {
        Map<String, String> content = new HashMap<>(CLUSTER.cli().hgetall(redis.layout().mapContentKey(map)));
        content.keySet().removeIf(k -> k.startsWith("="));
        return content;
    }

    /** A name whose map, stream and pool keys all live on the shard of one master (they share the tag). */
    private static String sameShardName(PulseRedis redis, String base) {
        List<String> keys = List.of(redis.layout().mapContentKey(base), redis.layout().streamKey(base),
                redis.layout().mapContentKey(redis.layout().poolMap(base, io.pulse.core.KeyLayout.PoolMap.WORKERS)));
        assertThat(keys.stream().map(RedisClusterExtension::slotOf).distinct()).hasSize(1);
        return base;
    }
}
