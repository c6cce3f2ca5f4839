package io.pulse.rmap.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.pulse.core.PulseRedis;
import io.pulse.core.internal.RedisFacade;
import io.pulse.testing.GoKeys;
import io.pulse.testing.LeastPrivilegeAcl;
import io.pulse.testing.RedisServerExtension;
import io.pulse.rmap.MapEvent;
import io.pulse.rmap.ReplicatedMap;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Modules write a map without joining it (a pool writes a job's payload bytes, a stream or a pool
 * destroys its maps): the writes are those a replica's would be, and they need no replica, which the
 * tests show by writing as a Redis user that may neither subscribe nor read a whole hash.
 */
class MapWritesTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration LONG = Duration.ofSeconds(20);
    /** May run the map scripts, and nothing a replica needs (SUBSCRIBE, HGETALL). */
    private static final List<String> WRITER_ONLY = List.of("resetkeys", "~map:*", "resetchannels", "&map:*", "-@all",
            "+ping", "+evalsha", "+eval", "+hget", "+hset", "+hdel", "+hincrby", "+del", "+exists", "+pttl",
            "+pexpire", "+publish");

    private RedisFacade writerOnly() {
        String uri = LeastPrivilegeAcl.createUser(REDIS.cli(), REDIS.uri(), RedisServerExtension.uniqueName("writer"),
                WRITER_ONLY);
        return RedisFacade.of(REDIS.track(PulseRedis.connect(uri)));
    }

    @Test
    void bytesWrittenWithoutAReplicaAreStoredExactlyAndReachTheReplicas() {
        String name = RedisServerExtension.uniqueName("payloads");
        ReplicatedMap replica = ReplicatedMap.join(name, REDIS.newPulseRedis());
        MapWrites writes = MapWrites.of(writerOnly(), name);
        byte[] notText = {(byte) 0xFF, 0, (byte) 0xC3, 'x'};

        assertThat(writes.setBytes("job", notText).join()).isNull();
        assertThat(rawHget(GoKeys.content(name), "job")).isEqualTo(notText);
        await().atMost(LONG).until(() -> replica.get("job").isPresent());
        assertThat(replica.revision()).isEqualTo(1);

        assertThat(writes.delete("job").join()).isNotNull();
        await().atMost(LONG).until(() -> replica.get("job").isEmpty() && replica.revision() == 2);
    }

    @Test
    void aDestroyWithoutAReplicaLeavesTheTombstoneAndEmptiesEveryReplica() {
        String name = RedisServerExtension.uniqueName("registry");
        ReplicatedMap replica = ReplicatedMap.join(name, REDIS.newPulseRedis());
        replica.setAndWait("sink", "[\"c1\"]");
        List<MapEvent.Kind> seen = new CopyOnWriteArrayList<>();
        replica.subscribe(e -> seen.add(e.kind()));
        MapWrites writes = MapWrites.of(writerOnly(), name);
        assertThat(writes.exists().join()).isTrue();

        writes.destroy().join();

        await().atMost(LONG).until(() -> replica.size() == 0 && seen.contains(MapEvent.Kind.RESET));
        assertThat(REDIS.cli().hgetall(GoKeys.content(name))).containsEntry("=kind", "destroy").containsEntry("=rev", "2")
                .hasSize(2);
        assertThat(MapWrites.of(writerOnly(), RedisServerExtension.uniqueName("never-written")).exists().join()).isFalse();
    }

    private static byte[] rawHget(String key, String field) {
        RedisClient raw = RedisClient.create(REDIS.uri());
        try (StatefulRedisConnection<byte[], byte[]> c = raw.connect(ByteArrayCodec.INSTANCE)) {
            return c.sync().hget(key.getBytes(StandardCharsets.UTF_8), field.getBytes(StandardCharsets.UTF_8));
        } finally {
            raw.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
