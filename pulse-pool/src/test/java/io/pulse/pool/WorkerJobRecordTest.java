package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.RedisFacade;
import io.pulse.testing.Eventually;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A worker records a job it starts with one script: the key appended to its job list and the payload
 * set byte for byte, each change published in the replicated-map wire format, so replicas of any
 * node (Go's included) see exactly the messages of a list append and a set.
 */
class WorkerJobRecordTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private final PoolFixture fixture = new PoolFixture(REDIS, b -> b);

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    /** A map channel's messages, received by a raw subscriber as a Go node's replica would. */
    private record Received(String channel, byte[] message) {
    }

    @Test
    void aStartedJobIsPublishedAsOneListSetAndOnePayloadSetWithTheExactPayloadBytes() {
        String pool = RedisServerExtension.uniqueName("record");
        byte[] payload = {(byte) 0xff, 0, (byte) 0xfe, 'x'}; // not UTF-8: must survive byte for byte
        List<Received> received = new CopyOnWriteArrayList<>();
        RedisClient client = RedisClient.create(REDIS.uri());
        try {
            StatefulRedisPubSubConnection<byte[], byte[]> sub = client.connectPubSub(ByteArrayCodec.INSTANCE);
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(byte[] channel, byte[] message) {
                    received.add(new Received(new String(channel, StandardCharsets.UTF_8), message));
                }
            });
            String jobsChannel = GoKeys.updates(GoKeys.jobsMap(pool));
            String payloadsChannel = GoKeys.updates(GoKeys.payloadsMap(pool));
            sub.sync().subscribe(utf8(jobsChannel), utf8(payloadsChannel));
            Node node = fixture.join(pool);
            RecordingHandler handler = new RecordingHandler();
            Worker worker = node.addWorker(handler);

            node.dispatchJob("k1", payload);

            Eventually.eventually(Duration.ofSeconds(10)).until(() -> received.size() >= 2);
            assertThat(handler.starts).singleElement().satisfies(s -> assertThat(s.job().payload()).isEqualTo(payload));
            assertThat(received).hasSize(2);
            assertThat(received.get(0).channel()).isEqualTo(jobsChannel);
            assertThat(received.get(0).message()).isEqualTo(setMessage(utf8(worker.id()), utf8("[\"k1\"]"), "1"));
            assertThat(received.get(1).channel()).isEqualTo(payloadsChannel);
            assertThat(received.get(1).message()).isEqualTo(setMessage(utf8("k1"), payload, "1"));
            assertThat(REDIS.cli().hget(GoKeys.content(GoKeys.jobsMap(pool)), "=kind")).isEqualTo("set");
            byte[] stored = Futures.await(RedisFacade.of(REDIS.newPulseRedis()).execute("read payload",
                    c -> c.hget(utf8(GoKeys.content(GoKeys.payloadsMap(pool))), utf8("k1"))), Duration.ofSeconds(5), "read");
            assertThat(stored).isEqualTo(payload);
            // the node's own replica applied the list change like any other
            Eventually.eventually(Duration.ofSeconds(10))
                    .until(() -> node.maps().jobs().getValues(worker.id()).equals(List.of("k1")));
        } finally {
            client.shutdown();
        }
    }

    @Test
    void recordingAJobAlreadyListedLeavesTheListAsItIsAndOnlyWritesThePayload() {
        String pool = RedisServerExtension.uniqueName("record-again");
        String jobs = GoKeys.content(GoKeys.jobsMap(pool));
        String payloads = GoKeys.content(GoKeys.payloadsMap(pool));
        byte[][] keys = {utf8(jobs), utf8(GoKeys.updates(GoKeys.jobsMap(pool))), utf8(payloads),
            utf8(GoKeys.updates(GoKeys.payloadsMap(pool)))};
        RedisFacade facade = RedisFacade.of(REDIS.newPulseRedis());
        // a list written before lists were JSON (comma-separated) is read as Go reads it
        REDIS.cli().hset(jobs, "w1", "a,b");

        long first = Futures.await(PoolScripts.RECORD_JOB.<Long>run(facade, ScriptOutputType.INTEGER, keys,
                utf8("w1"), utf8("c"), utf8("p1")), Duration.ofSeconds(5), "record");
        String revAfterFirst = REDIS.cli().hget(jobs, "=rev");
        long second = Futures.await(PoolScripts.RECORD_JOB.<Long>run(facade, ScriptOutputType.INTEGER, keys,
                utf8("w1"), utf8("c"), utf8("p2")), Duration.ofSeconds(5), "record");

        assertThat(first).isEqualTo(3);
        assertThat(second).isEqualTo(3);
        assertThat(REDIS.cli().hget(jobs, "w1")).isEqualTo("[\"a\",\"b\",\"c\"]");
        assertThat(REDIS.cli().hget(jobs, "=rev")).as("no second change of the list").isEqualTo(revAfterFirst);
        assertThat(REDIS.cli().hgetall(payloads)).isEqualTo(Map.of("c", "p2", "=rev", "2", "=kind", "set"));
    }

    /** {@code set:} then the key, the value and the revision, each as a 4-byte little-endian length and its bytes. */
    private static byte[] setMessage(byte[] key, byte[] value, String revision) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8("set:"));
        for (byte[] part : List.of(key, value, utf8(revision))) {
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(part.length).array());
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
