package io.pulse.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.lettuce.core.sentinel.api.sync.RedisSentinelCommands;
import io.pulse.core.PulseRedis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a test class a real Redis under Sentinel: a master, one replica and three Sentinels on free
 * loopback ports ({@code down-after-milliseconds} 1000, {@code failover-timeout} 5000), and
 * {@link #killMasterAndAwaitFailover()}. Register it as a static field:
 *
 * <pre>{@code @RegisterExtension static final RedisSentinelExtension SENTINEL = new RedisSentinelExtension();}</pre>
 *
 * The Sentinels run {@code redis-sentinel} (Debian's {@code redis-sentinel} package), else
 * {@code redis-server --sentinel}; the class is skipped (with the reason) when {@code redis-server}
 * is not on the PATH. Every process is killed by its pid after the class.
 */
public final class RedisSentinelExtension implements BeforeAllCallback, AfterAllCallback {

    /** The name the Sentinels know the master by. */
    public static final String MASTER_NAME = "pulse-master";

    private static final Logger LOG = LoggerFactory.getLogger(RedisSentinelExtension.class);
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final List<ServerProcess> servers = new ArrayList<>();
    private final List<ServerProcess> sentinels = new ArrayList<>();
    private final TrackedResources toClose = new TrackedResources();

    @Override
    public void beforeAll(ExtensionContext context) {
        Optional<Path> server = RedisServers.findOnPath("redis-server");
        Assumptions.assumeTrue(server.isPresent(), "Redis under Sentinel needs redis-server on the PATH");
        Optional<Path> sentinelBinary = RedisServers.findOnPath("redis-sentinel");
        List<Integer> ports = ServerProcess.freePorts(5, 0);
        int masterPort = ports.get(0);
        ServerProcess master = new ServerProcess(server.get(), masterPort, null,
                List.of("--save", "", "--appendonly", "no"));
        ServerProcess replica = new ServerProcess(server.get(), ports.get(1), null,
                List.of("--save", "", "--appendonly", "no", "--replicaof", "127.0.0.1", Integer.toString(masterPort)));
        servers.add(master);
        servers.add(replica);
        master.start();
        replica.start();
        String config = "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " 2\n"
                + "sentinel down-after-milliseconds " + MASTER_NAME + " 1000\n"
                + "sentinel failover-timeout " + MASTER_NAME + " 5000\n"
                + "sentinel parallel-syncs " + MASTER_NAME + " 1\n";
        for (int port : ports.subList(2, 5)) {
            ServerProcess sentinel = sentinelBinary.isPresent()
                    ? new ServerProcess(sentinelBinary.get(), port, config, List.of())
                    : new ServerProcess(server.get(), port, config, List.of("--sentinel"));
            sentinels.add(sentinel);
            sentinel.start();
        }
        Waits.until("the replica is in sync and every Sentinel knows it", DEADLINE, () -> {
            if (!onPort(replica.port(), RedisCommands::info).contains("master_link_status:up")) {
                return false;
            }
            for (ServerProcess sentinel : sentinels) {
                if (onSentinel(sentinel.port(), c -> c.replicas(MASTER_NAME)).isEmpty()) {
                    return false;
                }
            }
            return true;
        });
        LOG.info("tests of {} use Redis under Sentinel: master {}, replica {}, sentinels {}", context.getDisplayName(),
                masterPort, replica.port(), sentinels.stream().map(ServerProcess::port).toList());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        toClose.closeAll(LOG);
        sentinels.forEach(ServerProcess::close);
        servers.forEach(ServerProcess::close);
    }

    /** The {@code redis-sentinel://} URI naming the three Sentinels and the master's name. */
    public String uri() {
        StringBuilder uri = new StringBuilder("redis-sentinel://");
        for (int i = 0; i < sentinels.size(); i++) {
            uri.append(i == 0 ? "" : ",").append("127.0.0.1:").append(sentinels.get(i).port());
        }
        return uri.append("#").append(MASTER_NAME).toString();
    }

    /** A new facade through the Sentinels, closed after the class. */
    public PulseRedis newPulseRedis() {
        return track(PulseRedis.connect(uri()));
    }

    /** Closes {@code resource} after the class (in reverse order of tracking). */
    public <T extends AutoCloseable> T track(T resource) {
        return toClose.add(resource);
    }

    /** The port of the master the Sentinels name now. */
    public int masterPort() {
        RuntimeException last = null;
        for (ServerProcess sentinel : sentinels) {
            try {
                return onSentinel(sentinel.port(), c -> ((java.net.InetSocketAddress) c.getMasterAddrByName(MASTER_NAME)).getPort());
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no Sentinel answers", last);
    }

    private static <T> T onSentinel(int port, Function<RedisSentinelCommands<String, String>, T> command) {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
        try (StatefulRedisSentinelConnection<String, String> connection = client.connectSentinel()) {
            return command.apply(connection.sync());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /**
     * SIGKILLs the master and waits until the Sentinels promoted the replica and it accepts writes.
     * Returns the new master's port.
     */
    public int killMasterAndAwaitFailover() {
        int old = masterPort();
        server(old).kill();
        Waits.until("the Sentinels promote the replica", DEADLINE, () -> masterPort() != old);
        int promoted = masterPort();
        Waits.until("the promoted replica is a master", DEADLINE,
                () -> onPort(promoted, RedisCommands::info).contains("role:master"));
        return promoted;
    }

    /** Runs {@code command} on the Redis (or Sentinel) at {@code port}, on a connection opened for it. */
    public <T> T onPort(int port, Function<RedisCommands<String, String>, T> command) {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return command.apply(connection.sync());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private ServerProcess server(int port) {
        return servers.stream().filter(s -> s.port() == port).findFirst()
                .orElseThrow(() -> new IllegalStateException("no server on port " + port));
    }
}
