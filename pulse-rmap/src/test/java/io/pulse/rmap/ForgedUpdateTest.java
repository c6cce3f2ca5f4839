package io.pulse.rmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.pulse.core.PulseException;
import io.pulse.core.PulseRedis;
import io.pulse.testing.GoKeys;
import io.pulse.testing.LeastPrivilegeAcl;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What README's Security section says about a map's update channel, shown for real: replicas apply a
 * well-formed message anyone publishes there (until the next real write makes them re-read the hash),
 * so publishing must be kept from those who should not change the map.
 */
class ForgedUpdateTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration LONG = Duration.ofSeconds(20);

    @Test
    void aForgedSetChangesEveryReplicaButNotRedisUntilTheNextRealWrite() {
        String name = RedisServerExtension.uniqueName("forged");
        ReplicatedMap writer = ReplicatedMap.join(name, REDIS.newPulseRedis());
        ReplicatedMap reader = ReplicatedMap.join(name, REDIS.newPulseRedis());
        writer.setAndWait("price", "10");
        await().atMost(LONG).until(() -> reader.get("price").orElse("").equals("10"));

        byte[] forged = new MapMessage(MapMessage.Op.SET, "price", "0", writer.revision() + 1).encode();
        RedisClient raw = RedisClient.create(REDIS.uri());
        try (StatefulRedisConnection<byte[], byte[]> c = raw.connect(ByteArrayCodec.INSTANCE)) {
            c.sync().publish(GoKeys.updates(name).getBytes(StandardCharsets.UTF_8), forged);
        } finally {
            raw.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        await().atMost(LONG).until(() -> reader.get("price").orElse("").equals("0")
                && writer.get("price").orElse("").equals("0"));
        assertThat(REDIS.cli().hget(GoKeys.content(name), "price")).isEqualTo("10");

        writer.set("other", "x");
        await().atMost(LONG).until(() -> reader.get("price").orElse("").equals("10")
                && writer.get("price").orElse("").equals("10"));
        writer.close();
        reader.close();
    }

    @Test
    void aReadOnlyUserFollowsAMapButCannotForgeItsUpdates() {
        // README's rules for a process that only reads maps: read keys, subscribe, nothing else
        String readerUri = LeastPrivilegeAcl.createUser(REDIS.cli(), REDIS.uri(), "map-reader",
                LeastPrivilegeAcl.MAP_READER_RULES);
        String name = RedisServerExtension.uniqueName("guarded");
        ReplicatedMap writer = ReplicatedMap.join(name, REDIS.newPulseRedis());
        writer.set("k", "v");
        ReplicatedMap reader = ReplicatedMap.join(name, REDIS.track(PulseRedis.connect(readerUri)));
        assertThat(reader.get("k")).hasValue("v");
        writer.set("k", "w");
        await().atMost(LONG).until(() -> reader.get("k").orElse("").equals("w"));

        RedisClient raw = RedisClient.create(readerUri);
        try (StatefulRedisConnection<byte[], byte[]> c = raw.connect(ByteArrayCodec.INSTANCE)) {
            byte[] forged = new MapMessage(MapMessage.Op.RESET, null, null, writer.revision() + 1).encode();
            assertThatThrownBy(() -> c.sync().publish(GoKeys.updates(name).getBytes(StandardCharsets.UTF_8), forged))
                    .hasMessageContaining("NOPERM");
            assertThatThrownBy(() -> reader.set("k", "x")).isInstanceOf(PulseException.class)
                    .hasMessageContaining("NOPERM");
        } finally {
            raw.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        assertThat(reader.get("k")).hasValue("w");
        reader.close();
        writer.close();
    }

    @Test
    void readmeGivesTheMapReaderRulesThisTestGrants() throws java.io.IOException {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
        assertThat(readme.contains(LeastPrivilegeAcl.mapReaderRulesLine())).as("README holds: %s",
                LeastPrivilegeAcl.mapReaderRulesLine()).isTrue();
    }
}
