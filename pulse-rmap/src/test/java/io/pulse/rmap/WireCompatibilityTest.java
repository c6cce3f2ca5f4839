package io.pulse.rmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A Java replica and a Go Pulse node must be able to share one map: same hash, same messages. */
class WireCompatibilityTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static String resource(String name) throws IOException {
        try (InputStream in = WireCompatibilityTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void javaReplicaAppliesChangesWrittenTheWayAGoNodeWritesThem() throws Exception {
        String name = RedisServerExtension.uniqueName("fromgo");
        ReplicatedMap map = ReplicatedMap.join(name, REDIS.newPulseRedis());
        String[] keys = {GoKeys.content(name), GoKeys.updates(name)};
        String goSet = resource("go_node_set.lua");
        String goDelete = resource("go_node_delete.lua");
        REDIS.cli().eval(goSet, ScriptOutputType.MULTI, keys, "greeting", "hello");
        REDIS.cli().eval(goSet, ScriptOutputType.MULTI, keys, "farewell", "bye");
        await().atMost(Duration.ofSeconds(10)).until(() -> map.size() == 2);
        REDIS.cli().eval(goDelete, ScriptOutputType.VALUE, keys, "farewell");
        await().atMost(Duration.ofSeconds(10)).until(() -> map.get("farewell").isEmpty());
        assertThat(map.snapshot()).isEqualTo(Map.of("greeting", "hello"));
        assertThat(map.revision()).isEqualTo(3);
        // and a Java write continues the same revision sequence
        map.setAndWait("greeting", "bonjour");
        assertThat(map.revision()).isEqualTo(4);
        assertThat(map.resyncCount()).isZero();
    }

    @Test
    void whatJavaWritesIsExactlyTheSpecifiedHashAndMessages() {
        String name = RedisServerExtension.uniqueName("tojava");
        ReplicatedMap map = ReplicatedMap.join(name, REDIS.newPulseRedis());
        List<byte[]> messages = new CopyOnWriteArrayList<>();
        RedisClient client = RedisClient.create(REDIS.uri());
        try {
            StatefulRedisPubSubConnection<byte[], byte[]> sub = client.connectPubSub(ByteArrayCodec.INSTANCE);
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(byte[] channel, byte[] message) {
                    messages.add(message);
                }
            });
            sub.sync().subscribe(GoKeys.updates(name).getBytes(StandardCharsets.UTF_8));

            map.set("foo", "bar");
            map.appendValues("list", "a/b", "c");
            map.delete("foo");
            map.reset();
            map.destroy();
            await().atMost(Duration.ofSeconds(10)).until(() -> messages.size() == 5);

            assertThat(messages.get(0)).isEqualTo(new MapMessage(MapMessage.Op.SET, "foo", "bar", 1).encode());
            assertThat(messages.get(1)).isEqualTo(
                    new MapMessage(MapMessage.Op.SET, "list", "[\"a\\/b\",\"c\"]", 2).encode());
            assertThat(messages.get(2)).isEqualTo(new MapMessage(MapMessage.Op.DEL, "foo", null, 3).encode());
            assertThat(new String(messages.get(3), StandardCharsets.US_ASCII)).isEqualTo("reset:4");
            assertThat(new String(messages.get(4), StandardCharsets.US_ASCII)).isEqualTo("destroy:5");
            assertThat(REDIS.cli().hgetall(GoKeys.content(name)))
                    .isEqualTo(Map.of("=rev", "5", "=kind", "destroy"));
        } finally {
            client.shutdown();
        }
    }

    @Test
    void hashFieldsRecordTheRevisionAndTheKindOfTheLastChange() {
        String name = RedisServerExtension.uniqueName("fields");
        ReplicatedMap map = ReplicatedMap.join(name, REDIS.newPulseRedis());
        map.set("a", "1");
        assertThat(REDIS.cli().hgetall(GoKeys.content(name))).isEqualTo(Map.of("a", "1", "=rev", "1", "=kind", "set"));
        map.delete("a");
        assertThat(REDIS.cli().hgetall(GoKeys.content(name))).isEqualTo(Map.of("=rev", "2", "=kind", "del"));
        assertThat(map.inc("n", 5)).isEqualTo(5);
        assertThat(REDIS.cli().hget(GoKeys.content(name), "n")).isEqualTo("5");
        assertThat(REDIS.cli().hget(GoKeys.content(name), "=kind")).isEqualTo("set");
        assertThat(map.get("missing")).isEqualTo(Optional.empty());
    }
}
