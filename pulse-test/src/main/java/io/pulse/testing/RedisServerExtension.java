package io.pulse.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.pulse.core.PulseRedis;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JUnit 5 extension that gives a test class a real Redis of its own, started before the class and
 * stopped after it (see {@link RedisServers} for where it comes from); thread-safe, and its fault
 * methods block until done. The means to hurt the server: {@link #kill()}, {@link #restart()},
 * {@link #restartEmpty()}, {@link #flushAll()}, {@link #pause()}, {@link #resume()}. Register it as a
 * static field:
 *
 * <pre>{@code @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();}</pre>
 *
 * Fault methods skip the calling test (reported as skipped) when the server was not started by this
 * JVM. Every {@link PulseRedis} made by {@link #newPulseRedis()} is closed after the class.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {

    private static final Logger LOG = LoggerFactory.getLogger(RedisServerExtension.class);
    private static final AtomicInteger NAMES = new AtomicInteger();

    private final boolean oldestSupported;
    private RedisServer server;
    private final TrackedResources toClose = new TrackedResources();
    private RedisClient cliClient;
    private StatefulRedisConnection<String, String> cliConnection;

    /** A Redis chosen as the class comment says. */
    public RedisServerExtension() {
        this(false);
    }

    private RedisServerExtension(boolean oldestSupported) {
        this.oldestSupported = oldestSupported;
    }

    /**
     * The oldest Redis Pulse supports (6.2, the binary shipped in embedded-redis), whatever else is
     * installed; the class is skipped where that binary cannot run.
     */
    public static RedisServerExtension oldestSupported() {
        return new RedisServerExtension(true);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (oldestSupported) {
            java.util.Optional<RedisServer> embedded = RedisServers.startEmbedded();
            Assumptions.assumeTrue(embedded.isPresent(), "the embedded Redis 6.2 binary does not run on this platform");
            server = embedded.get();
        } else {
            server = RedisServers.start();
        }
        LOG.info("tests of {} use {}", context.getDisplayName(), server.description());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        toClose.closeAll(LOG);
        if (cliClient != null) {
            cliClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            cliClient = null;
            cliConnection = null;
        }
        if (server != null) {
            server.close();
        }
    }

    /** The server's {@code redis://} URI. */
    public String uri() {
        return server.uri();
    }

    /** A new facade on the server, closed after the class (or earlier by the test). */
    public PulseRedis newPulseRedis() {
        PulseRedis redis = PulseRedis.connect(uri());
        track(redis);
        return redis;
    }

    /** Closes {@code resource} after the class (in reverse order of tracking). */
    public <T extends AutoCloseable> T track(T resource) {
        return toClose.add(resource);
    }

    /**
     * A plain synchronous Lettuce connection (string codec, Lettuce's own default options) for a test
     * to look at or tamper with Redis directly. Reconnects by itself after the server restarts.
     */
    public synchronized RedisCommands<String, String> cli() {
        if (cliConnection == null) {
            cliClient = RedisClient.create(uri());
            cliConnection = cliClient.connect();
        }
        return cliConnection.sync();
    }

    /** A name no other test of this JVM uses: {@code base} plus a counter. */
    public static String uniqueName(String base) {
        return base + "-" + NAMES.incrementAndGet();
    }

    /** Whether this JVM started the server (and so can kill, restart or pause it). */
    public boolean controllable() {
        return server.controllable();
    }

    /** SIGKILLs the server. Skips the test if the server is not ours. */
    public void kill() {
        requireControl();
        server.kill();
    }

    /** Kills the server if it runs and starts it again on the same port with its data (AOF). */
    public void restart() {
        requireControl();
        server.restart();
    }

    /**
     * Kills the server and starts it on the same port with no data, as a Redis without persistence
     * comes back (or a failover to an empty replica). Skips the test if the server is not ours.
     */
    public void restartEmpty() {
        requireControl();
        server.restartEmpty();
    }

    /**
     * Deletes every key of the server (FLUSHALL) while connections stay up. Skips the test if the
     * server is not ours (it may hold someone else's data).
     */
    public void flushAll() {
        requireControl();
        cli().flushall();
    }

    /** Freezes the server with SIGSTOP: connections stay open but nothing answers. */
    public void pause() {
        requireControl();
        server.pause();
    }

    /** Lets a paused server run again (SIGCONT). */
    public void resume() {
        requireControl();
        server.resume();
    }

    private void requireControl() {
        Assumptions.assumeTrue(server.controllable(),
                "needs a Redis started by the tests, not " + server.description());
    }
}
