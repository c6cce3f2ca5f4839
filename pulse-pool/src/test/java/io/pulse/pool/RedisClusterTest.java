package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseRedis;
import io.pulse.core.testing.RedisClusterExtension;
import io.pulse.rmap.ReplicatedMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
}
