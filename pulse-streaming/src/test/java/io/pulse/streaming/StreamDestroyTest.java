package io.pulse.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.core.PulseRedis;
import io.pulse.testing.GoKeys;
import io.pulse.testing.LeastPrivilegeAcl;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Destroying a stream destroys its sink registry without joining a replica of it only to destroy it. */
class StreamDestroyTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    /** May delete a stream and write map entries, but not subscribe nor read a whole hash as a replica does. */
    private static final List<String> NO_REPLICA = List.of("resetkeys", "~pulse:stream:*", "~map:*", "resetchannels",
            "&map:*", "-@all", "+ping", "+del", "+exists", "+evalsha", "+eval", "+hget", "+hset", "+hdel", "+hincrby",
            "+pttl", "+pexpire", "+publish");

    @Test
    void destroyNeedsNoReplicaOfTheSinkRegistry() {
        String name = RedisServerExtension.uniqueName("destroyed");
        Stream stream = Stream.open(name, REDIS.newPulseRedis());
        stream.add("e", "x".getBytes(StandardCharsets.UTF_8));
        stream.sink(RedisServerExtension.uniqueName("audit")).open().close();
        String registry = GoKeys.content(GoKeys.sinkRegistryMap(name));
        assertThat(REDIS.cli().exists(registry)).isEqualTo(1L);

        String uri = LeastPrivilegeAcl.createUser(REDIS.cli(), REDIS.uri(), RedisServerExtension.uniqueName("cleaner"),
                NO_REPLICA);
        Stream.open(name, REDIS.track(PulseRedis.connect(uri))).destroy();

        assertThat(REDIS.cli().exists(GoKeys.stream(name))).isZero();
        assertThat(REDIS.cli().hgetall(registry)).containsOnlyKeys("=rev", "=kind").containsEntry("=kind", "destroy");
    }
}
