package io.pulse.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.ScriptOutputType;
import io.pulse.core.internal.BlockingConnection;
import io.pulse.core.internal.ChannelListener;
import io.pulse.core.internal.LuaScript;
import io.pulse.core.internal.RedisFacade;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PulseRedisTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void executeRunsCommandsOnTheSharedConnection() {
        PulseRedis redis = REDIS.newPulseRedis();
        String key = RedisServerExtension.uniqueName("exec");
        RedisFacade.of(redis).executeSync("set", c -> c.set(b(key), b("v")));
        assertThat(REDIS.cli().get(key)).isEqualTo("v");
        byte[] got = RedisFacade.of(redis).executeSync("get", c -> c.get(b(key)));
        assertThat(got).isEqualTo(b("v"));
    }

    @Test
    void luaScriptIsResentWithEvalAfterScriptFlush() {
        PulseRedis redis = REDIS.newPulseRedis();
        LuaScript script = LuaScript.load("/io/pulse/core/echo_incr.lua");
        String key = RedisServerExtension.uniqueName("script");
        Long first = script.<Long>run(RedisFacade.of(redis), ScriptOutputType.INTEGER, new byte[][] {b(key)}, b("2")).join();
        assertThat(first).isEqualTo(2L);
        REDIS.cli().scriptFlush();
        assertThat(REDIS.cli().scriptExists(script.sha1())).containsExactly(false);
        Long second = script.<Long>run(RedisFacade.of(redis), ScriptOutputType.INTEGER, new byte[][] {b(key)}, b("3")).join();
        assertThat(second).isEqualTo(5L);
        assertThat(REDIS.cli().scriptExists(script.sha1())).containsExactly(true);
    }

    @Test
    void subscribersOfOneChannelShareOneSubscriptionAndAllGetMessages() {
        PulseRedis redis = REDIS.newPulseRedis();
        String channel = RedisServerExtension.uniqueName("chan");
        List<String> a = new CopyOnWriteArrayList<>();
        List<String> c = new CopyOnWriteArrayList<>();
        Subscription sa = RedisFacade.of(redis).subscribe(channel, m -> a.add(new String(m, StandardCharsets.UTF_8))).join();
        Subscription sc = RedisFacade.of(redis).subscribe(channel, m -> c.add(new String(m, StandardCharsets.UTF_8))).join();
        assertThat(REDIS.cli().pubsubNumsub(channel)).containsEntry(channel, 1L);
        REDIS.cli().publish(channel, "one");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.size() == 1 && c.size() == 1);
        sa.close();
        REDIS.cli().publish(channel, "two");
        await().atMost(Duration.ofSeconds(10)).until(() -> c.size() == 2);
        assertThat(a).containsExactly("one");
        sc.close();
        sc.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> REDIS.cli().pubsubNumsub(channel).get(channel) == 0L);
    }

    @Test
    void listenersAreToldWhenTheirChannelIsResubscribedAfterTheConnectionIsKilled() {
        PulseRedis redis = REDIS.newPulseRedis();
        String channel = RedisServerExtension.uniqueName("resub");
        AtomicInteger resubscribed = new AtomicInteger();
        List<String> got = new CopyOnWriteArrayList<>();
        RedisFacade.of(redis).subscribe(channel, new ChannelListener() {
            @Override
            public void onMessage(byte[] message) {
                got.add(new String(message, StandardCharsets.UTF_8));
            }

            @Override
            public void onResubscribed() {
                resubscribed.incrementAndGet();
            }
        }).join();
        assertThat(resubscribed).hasValue(0);
        REDIS.cli().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub());
        await().atMost(Duration.ofSeconds(20)).until(() -> resubscribed.get() >= 1);
        REDIS.cli().publish(channel, "after");
        await().atMost(Duration.ofSeconds(10)).until(() -> got.contains("after"));
    }

    @Test
    void commandInFlightWhenTheConnectionIsClosedFailsInsteadOfBeingReplayed() throws Exception {
        PulseRedis redis = REDIS.newPulseRedis();
        String key = RedisServerExtension.uniqueName("noreplay");
        Long clientId = RedisFacade.of(redis).executeSync("client id", c -> c.clientId());
        // a BLPOP waits inside Redis, so it is still unanswered when Redis closes the connection
        CompletableFuture<?> pop = RedisFacade.of(redis).execute("blpop", c -> c.blpop(20, b(key)));
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !pop.isDone());
        REDIS.cli().clientKill(io.lettuce.core.KillArgs.Builder.id(clientId));
        assertThatThrownBy(() -> pop.get(20, java.util.concurrent.TimeUnit.SECONDS))
                .hasCauseInstanceOf(PulseException.class);
        await().atMost(Duration.ofSeconds(20)).until(redis::isConnected);
        // Lettuce's default would re-send the BLPOP after the reconnect, and it would take this element
        REDIS.cli().rpush(key, "x");
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> REDIS.cli().llen(key) == 1L);
    }

    @Test
    void commandsFailWithPulseExceptionAfterTheReconnectWaitWhileRedisIsDown() {
        PulseRedis redis = REDIS.track(PulseRedis.builder(REDIS.uri()).reconnectWait(Duration.ofMillis(500)).connect());
        REDIS.kill();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> !redis.isConnected());
            long start = System.nanoTime();
            assertThatThrownBy(() -> RedisFacade.of(redis).executeSync("ping", c -> c.ping()))
                    .isInstanceOf(PulseException.class)
                    .hasMessageContaining("ping");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        } finally {
            REDIS.restart();
        }
        await().atMost(Duration.ofSeconds(30)).until(redis::isConnected);
        String pong = RedisFacade.of(redis).executeSync("ping", c -> c.ping());
        assertThat(pong).isEqualTo("PONG");
    }

    @Test
    void closeIsIdempotentAndLaterCallsFailWithClosedException() {
        PulseRedis redis = REDIS.newPulseRedis();
        AtomicInteger closedResources = new AtomicInteger();
        RedisFacade.of(redis).register(closedResources::incrementAndGet);
        BlockingConnection blocking = RedisFacade.of(redis).openBlockingConnection("test");
        redis.close();
        redis.close();
        assertThat(closedResources).hasValue(1);
        assertThat(blocking.isClosed()).isTrue();
        assertThat(redis.isClosed()).isTrue();
        assertThatThrownBy(() -> RedisFacade.of(redis).executeSync("ping", c -> c.ping())).isInstanceOf(ClosedException.class);
        assertThatThrownBy(() -> RedisFacade.of(redis).subscribe("x", m -> { }).join()).hasCauseInstanceOf(ClosedException.class);
    }

    @Test
    void blockingReadOnItsOwnConnectionEndsPromptlyWhenClosed() throws Exception {
        PulseRedis redis = REDIS.newPulseRedis();
        BlockingConnection blocking = RedisFacade.of(redis).openBlockingConnection("blpop");
        String key = RedisServerExtension.uniqueName("list");
        CompletableFuture<Object> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                io.lettuce.core.KeyValue<byte[], byte[]> popped =
                        blocking.call("blpop", Duration.ofSeconds(30), c -> c.blpop(30, b(key)));
                return String.valueOf(popped);
            } catch (RuntimeException e) {
                return e;
            }
        });
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !outcome.isDone());
        // the shared connection is not held by the blocked read
        String pong = RedisFacade.of(redis).executeSync("ping", c -> c.ping());
        assertThat(pong).isEqualTo("PONG");
        long start = System.nanoTime();
        blocking.close();
        // the blocked read ends at once: woken with no data, or cut off with its connection
        Object ended = outcome.get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(ended).satisfiesAnyOf(o -> assertThat(o).isEqualTo("null"),
                o -> assertThat(o).isInstanceOf(ClosedException.class));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThatThrownBy(() -> blocking.call("blpop", Duration.ofSeconds(1), c -> c.blpop(1, b(key))))
                .isInstanceOf(ClosedException.class);
    }

    @Test
    void aComposedScriptRunsWithItsLibraryAndRedisKnowsItByTheComposedText() {
        PulseRedis redis = REDIS.newPulseRedis();
        LuaScript alone = LuaScript.load("/io/pulse/core/uses_lib.lua");
        LuaScript composed = LuaScript.load("/io/pulse/core/uses_lib.lua", "/io/pulse/core/lib_twice.lua");
        assertThat(composed.name()).isEqualTo("uses_lib");
        assertThat(composed.source()).startsWith(LuaScript.load("/io/pulse/core/lib_twice.lua").source())
                .endsWith(alone.source());
        assertThat(composed.sha1()).isNotEqualTo(alone.sha1());
        Long first = composed.<Long>run(RedisFacade.of(redis), ScriptOutputType.INTEGER, new byte[0][], b("21")).join();
        assertThat(first).isEqualTo(42L);
        assertThat(REDIS.cli().scriptExists(composed.sha1())).containsExactly(true);
        // without its library the script cannot run: the composition is what Redis executes
        assertThatThrownBy(() -> alone.<Long>run(RedisFacade.of(redis), ScriptOutputType.INTEGER, new byte[0][],
                b("21")).join()).hasCauseInstanceOf(PulseException.class);
    }

    @Test
    void rawCommandRunsOnTheSharedConnectionAndFailsWithTypedExceptions() throws Exception {
        PulseRedis redis = REDIS.newPulseRedis();
        String key = RedisServerExtension.uniqueName("raw");
        assertThat(redis.rawCommand(c -> c.set(b(key), b("v"))).get(10, TimeUnit.SECONDS)).isEqualTo("OK");
        assertThat(REDIS.cli().get(key)).isEqualTo("v");
        // Redis answered with an error: neither "not sent" nor "outcome unknown"
        assertThatThrownBy(() -> redis.rawCommand(c -> c.lpush(b(key), b("x"))).get(10, TimeUnit.SECONDS))
                .cause().isExactlyInstanceOf(PulseException.class).hasMessageContaining("WRONGTYPE");
        redis.close();
        assertThatThrownBy(() -> redis.rawCommand(c -> c.ping()).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ClosedException.class);
    }

    @Test
    void connectToUnreachableRedisFailsWithPulseException() {
        assertThatThrownBy(() -> PulseRedis.connect("redis://127.0.0.1:1")).isInstanceOf(PulseException.class);
    }
}
