package io.pulse.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.Consumer;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.pulse.testing.RedisServerExtension;
import io.pulse.pool.Node;
import io.pulse.rmap.ReplicatedMap;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The guarded actions through the command line: each refuses without {@code --yes}, refuses when the
 * state it names is not there, and otherwise writes exactly what a Pulse node writes, so live Java
 * nodes and replicas act on it and Go nodes could too.
 */
class GuardedActionsTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration LONG = Duration.ofMinutes(10);
    private static RedisClient raw;
    private static StatefulRedisConnection<byte[], byte[]> connection;
    private static RedisCommands<byte[], byte[]> bytes;
    private final Cli cli = new Cli(REDIS.uri(), Clock.systemUTC());

    @BeforeAll
    static void connect() {
        raw = RedisClient.create(REDIS.uri());
        connection = raw.connect(ByteArrayCodec.INSTANCE);
        bytes = connection.sync();
        // the Go-node state the stop and dead-node tests act on
        try (GoPlayedState go = new GoPlayedState(REDIS.uri())) {
            go.write();
        }
    }

    @AfterAll
    static void disconnect() {
        connection.close();
        raw.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    private static Node.Builder node(String pool) {
        return Node.builder(pool, REDIS.newPulseRedis()).workerTtl(LONG).ackGracePeriod(LONG)
                .jobSinkBlockDuration(Duration.ofMillis(200)).workerShutdownTtl(Duration.ofSeconds(5));
    }

    @Test
    void stopJobNeedsYesThenTheRunningJavaJobStops() {
        String pool = RedisServerExtension.uniqueName("stop");
        Node node = REDIS.track(node(pool).join());
        RecordingHandler handler = new RecordingHandler();
        node.addWorker(handler);
        node.dispatchJob("job-1", "payload".getBytes(StandardCharsets.UTF_8));

        Cli.Result unconfirmed = cli.run("stop-job", pool, "job-1");
        assertThat(unconfirmed.code()).isEqualTo(2);
        assertThat(unconfirmed.err()).isEqualTo("would stop job \"job-1\" of pool \"" + pool + "\"; add --yes to do it\n");
        assertThat(bytes.xlen(streamKey(pool + ":pool"))).as("nothing written").isEqualTo(1);

        Cli.Result done = cli.run("stop-job", pool, "job-1", "--yes");
        assertThat(done.code()).isZero();
        assertThat(done.out()).startsWith("stop requested for job \"job-1\" in pool \"" + pool + "\" (event ");
        await().atMost(Duration.ofSeconds(20)).until(() -> handler.stopped.contains("job-1"));
        await().atMost(Duration.ofSeconds(20)).until(() -> node.jobPayload("job-1").isEmpty());
        assertThat(handler.running).isEmpty();

        Cli.Result unknown = cli.run("stop-job", pool, "job-1", "--yes");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("refused: pool \"" + pool + "\" has no job \"job-1\"\n");
    }

    @Test
    void stopIsAnSEventCarryingTheJobKeyRecordAsGoWritesIt() {
        long before = bytes.xlen(streamKey("goshop:pool"));
        assertThat(cli.run("stop-job", "goshop", "b", "--yes").code()).isZero();
        List<StreamMessage<byte[], byte[]>> last = bytes.xrevrange(streamKey("goshop:pool"), Range.create("-", "+"),
                io.lettuce.core.Limit.from(1));
        assertThat(bytes.xlen(streamKey("goshop:pool"))).isEqualTo(before + 1);
        Map<String, byte[]> body = Streams.body(last.get(0));
        assertThat(body.keySet()).containsExactly("n", "p");
        assertThat(new String(body.get("n"), StandardCharsets.UTF_8)).isEqualTo("s");
        assertThat(body.get("p")).isEqualTo(GoPlayedState.frames(GoPlayedState.bytes("b")));
    }

    @Test
    void requeueHandsAStuckStartEventToALiveNodeWhichStartsTheJob() {
        String pool = RedisServerExtension.uniqueName("stuck");
        byte[] stream = streamKey(pool + ":pool");
        // a router that read a start event and died before acknowledging it, before the live node joined
        bytes.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0-0"), b("events"), XGroupCreateArgs.Builder.mkstream());
        String stuck = bytes.xadd(stream, new XAddArgs(), b("n"), b("j"), b("p"),
                GoPlayedState.job("job-x", "GONE", "data", Instant.now(), false));
        bytes.xreadgroup(Consumer.from(b("events"), b("ghost")), XReadArgs.Builder.count(1),
                XReadArgs.StreamOffset.lastConsumed(stream));
        Node node = REDIS.track(node(pool).join());
        RecordingHandler handler = new RecordingHandler();
        node.addWorker(handler);

        Cli.Result tooRecent = cli.run("requeue", pool, stuck, "--yes");
        assertThat(tooRecent.code()).isEqualTo(1);
        assertThat(tooRecent.err()).startsWith("refused: event " + stuck + " has been unacknowledged for ")
                .endsWith(" ms only, less than 60000 ms: it may still be handled\n");
        assertThat(cli.run("requeue", pool, "1-1", "--min-idle", "0s", "--yes").err())
                .isEqualTo("refused: event 1-1 is not waiting for an acknowledgement in pool \"" + pool + "\"\n");
        assertThat(handler.started).isEmpty();

        Cli.Result done = cli.run("requeue", pool, stuck, "--min-idle", "0s", "--yes");
        assertThat(done.code()).isZero();
        assertThat(done.out()).startsWith("requeued event " + stuck + " of pool \"" + pool + "\" as ");
        await().atMost(Duration.ofSeconds(20)).until(() -> handler.started.contains("job-x"));
        assertThat(bytes.xpending(stream, b("events")).getCount()).as("the original is acknowledged").isZero();
        assertThat(node.jobPayload("job-x")).hasValueSatisfying(p -> assertThat(new String(p, StandardCharsets.UTF_8)).isEqualTo("data"));
    }

    @Test
    void deleteNodeRemovesADeadGoNodesLeftoversAndPublishesTheMapDeletion() throws Exception {
        Cli goClock = new Cli(REDIS.uri(), Clock.fixed(GoPlayedState.T, ZoneOffset.UTC));
        List<byte[]> messages = new CopyOnWriteArrayList<>();
        StatefulRedisPubSubConnection<byte[], byte[]> sub = raw.connectPubSub(ByteArrayCodec.INSTANCE);
        try {
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(byte[] channel, byte[] message) {
                    messages.add(message);
                }
            });
            sub.sync().subscribe(b("map:goshop:node-keepalive:updates"));

            Cli.Result alive = goClock.run("delete-node", "goshop", "N1", "--yes");
            assertThat(alive.code()).isEqualTo(1);
            assertThat(alive.err()).isEqualTo("refused: node \"N1\" is alive: its keep-alive is 5000 ms old, within the "
                    + "worker TTL of 30000 ms\n");
            assertThat(goClock.run("delete-node", "goshop", "N9", "--yes").err())
                    .isEqualTo("refused: pool \"goshop\" has no node \"N9\"\n");

            Cli.Result done = goClock.run("delete-node", "goshop", "N2", "--yes");
            assertThat(done.code()).isZero();
            assertThat(done.out()).isEqualTo("deleted the stream and keep-alive of dead node \"N2\"\n");
            assertThat(bytes.exists(streamKey("goshop:node:N2"))).isZero();
            assertThat(bytes.exists(streamKey("goshop:node:N1"))).isOne();
            assertThat(REDIS.cli().hgetall("map:goshop:node-keepalive:content"))
                    .containsOnlyKeys("N1", "=rev", "=kind").containsEntry("=rev", "8").containsEntry("=kind", "del");
            await().atMost(Duration.ofSeconds(10)).until(() -> messages.size() == 1);
            assertThat(messages.get(0)).isEqualTo(concat(b("del:"), GoPlayedState.frames(b("N2"), b("8"))));
        } finally {
            sub.close();
        }
    }

    @Test
    void mapSetAndDeleteReachJavaReplicasInTheWireFormatGoReplicasRead() {
        String map = RedisServerExtension.uniqueName("flags");
        ReplicatedMap replica = ReplicatedMap.join(map, REDIS.newPulseRedis());
        replica.setAndWait("existing", "1");
        List<io.pulse.rmap.MapEvent.Kind> seen = new CopyOnWriteArrayList<>();
        replica.subscribe(e -> seen.add(e.kind()));
        List<byte[]> messages = new CopyOnWriteArrayList<>();
        StatefulRedisPubSubConnection<byte[], byte[]> sub = raw.connectPubSub(ByteArrayCodec.INSTANCE);
        try {
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(byte[] channel, byte[] message) {
                    messages.add(message);
                }
            });
            sub.sync().subscribe(b("map:" + map + ":updates"));

            assertThat(cli.run("map-set", map, "mode", "dark").code()).isEqualTo(2);
            Cli.Result set = cli.run("map-set", map, "mode", "dark", "--yes");
            assertThat(set.code()).isZero();
            assertThat(set.out()).isEqualTo("set \"mode\" in map \"" + map + "\" (revision 2, new key)\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> replica.get("mode").equals(Optional.of("dark")));

            Cli.Result delete = cli.run("map-delete", map, "existing", "--yes");
            assertThat(delete.out()).isEqualTo("deleted \"existing\" from map \"" + map + "\" (revision 3, was \"1\")\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> replica.get("existing").isEmpty());
            assertThat(cli.run("map-delete", map, "existing", "--yes").err())
                    .isEqualTo("refused: map \"" + map + "\" has no key \"existing\"\n");

            await().atMost(Duration.ofSeconds(10)).until(() -> messages.size() == 2);
            assertThat(messages.get(0)).isEqualTo(concat(b("set:"), GoPlayedState.frames(b("mode"), b("dark"), b("2"))));
            assertThat(messages.get(1)).isEqualTo(concat(b("del:"), GoPlayedState.frames(b("existing"), b("3"))));
            assertThat(REDIS.cli().hgetall("map:" + map + ":content"))
                    .isEqualTo(Map.of("mode", "dark", "=rev", "3", "=kind", "del"));
            assertThat(replica.revision()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
            assertThat(seen).as("applied in order, no revision skipped (which would resync)")
                    .containsExactly(io.pulse.rmap.MapEvent.Kind.CHANGE, io.pulse.rmap.MapEvent.Kind.DELETE);
        } finally {
            sub.close();
        }
    }

    @Test
    void mapSetRefusesAMissingMapUnlessAskedToCreateIt() {
        String map = RedisServerExtension.uniqueName("typo");
        Cli.Result refused = cli.run("map-set", map, "k", "v", "--yes");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("refused: map \"" + map + "\" does not exist (ask to create it to write it anyway)\n");
        assertThat(REDIS.cli().exists("map:" + map + ":content")).isZero();
        assertThat(cli.run("map-set", map, "k", "v", "--create", "--yes").code()).isZero();
        assertThat(REDIS.cli().hgetall("map:" + map + ":content")).isEqualTo(Map.of("k", "v", "=rev", "1", "=kind", "set"));
    }

    @Test
    void badArgumentsFailBeforeAnyRedisIo() {
        PulseAdmin admin = PulseAdmin.builder(REDIS.newPulseRedis()).build();
        assertThatThrownBy(() -> admin.actions().setMapKey("m", "a=b", "v", false))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("key must not contain '=': \"a=b\"");
        assertThatThrownBy(() -> admin.actions().requeueEvent("p", "not-an-id", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("eventId: not a stream entry id");
        assertThatThrownBy(() -> admin.actions().requeueEvent("p", "1-1", Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("minIdle must not be negative");
        assertThatThrownBy(() -> admin.actions().stopJob("bad pool", "k"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a valid pool name");
        assertThatThrownBy(() -> admin.actions().deleteMapKey("m", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key must not be empty");
        Cli.Result viaCli = cli.run("map-set", "m", "a=b", "v", "--yes");
        assertThat(viaCli.code()).isEqualTo(1);
        assertThat(viaCli.err()).isEqualTo("error: key must not contain '=': \"a=b\"\n");
    }

    @Test
    void mapWatchPrintsEveryPublishedChangeUntilInterrupted() throws Exception {
        String map = RedisServerExtension.uniqueName("watched");
        ReplicatedMap writer = ReplicatedMap.join(map, REDIS.newPulseRedis());
        writer.setAndWait("a", "1");
        StringWriter out = new StringWriter();
        Thread watching = new Thread(() -> io.pulse.admin.cli.PulseCli.run(
                new String[] {"map", map, "--watch", "--url", REDIS.uri()}, new PrintWriter(out), new PrintWriter(new StringWriter()),
                Map.of(), Clock.systemUTC()), "watch");
        watching.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> out.toString().contains("a    1"));
            // the subscription is confirmed before the report is flushed; write until the watcher shows a change
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                writer.set("a", "2");
                return out.toString().contains("set  a = 2");
            });
            writer.delete("a");
            writer.reset();
            await().atMost(Duration.ofSeconds(10)).until(() -> out.toString().contains("reset"));
        } finally {
            watching.interrupt();
            watching.join(10_000);
        }
        assertThat(watching.isAlive()).isFalse();
        String lines = out.toString();
        long rev = writer.revision();
        assertThat(lines).contains("rev " + (rev - 1) + "  del  a\n").contains("rev " + rev + "  reset\n");
    }

    private static byte[] streamKey(String stream) {
        return b("pulse:stream:" + stream);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] c) {
        byte[] out = new byte[a.length + c.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(c, 0, out, a.length, c.length);
        return out;
    }
}
