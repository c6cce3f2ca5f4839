package io.pulse.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.pulse.core.PulseRedis;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a test class a real local Redis Cluster of its own: six {@code redis-server} processes on
 * free loopback ports (3 masters, 3 replicas, {@code cluster-node-timeout} 1000 ms, no persistence),
 * joined with {@code redis-cli --cluster create}, and the means to hurt it: kill a node with SIGKILL,
 * restart it, move a slot while clients use it. Register it as a static field:
 *
 * <pre>{@code @RegisterExtension static final RedisClusterExtension CLUSTER = new RedisClusterExtension();}</pre>
 *
 * The class is skipped (with the reason) when {@code redis-server} or {@code redis-cli} is not on the
 * PATH. Every process is killed by its pid after the class; every {@link PulseRedis} made by
 * {@link #newPulseRedis()} is closed first.
 */
public final class RedisClusterExtension implements BeforeAllCallback, AfterAllCallback {

    private static final Logger LOG = LoggerFactory.getLogger(RedisClusterExtension.class);
    private static final int NODES = 6;
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final List<ServerProcess> nodes = new ArrayList<>();
    private final TrackedResources toClose = new TrackedResources();
    private Path cli;
    private RedisClusterClient cliClient;
    private StatefulRedisClusterConnection<String, String> cliConnection;

    @Override
    public void beforeAll(ExtensionContext context) {
        Optional<Path> server = RedisServers.findOnPath("redis-server");
        Optional<Path> redisCli = RedisServers.findOnPath("redis-cli");
        Assumptions.assumeTrue(server.isPresent() && redisCli.isPresent(),
                "a local Redis Cluster needs redis-server and redis-cli on the PATH");
        cli = redisCli.get();
        // validity factor 0: a replica fails over however long ago it last heard from its master
        String config = "cluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout 1000\n"
                + "cluster-replica-validity-factor 0\nappendonly no\nsave \"\"\n";
        for (int port : ServerProcess.freePorts(NODES, 10000)) {
            ServerProcess node = new ServerProcess(server.get(), port, config, List.of());
            nodes.add(node);
            node.start();
        }
        List<String> create = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
        nodes.forEach(n -> create.add("127.0.0.1:" + n.port()));
        create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        run(create);
        awaitHealthy();
        LOG.info("tests of {} use a Redis Cluster on ports {}", context.getDisplayName(), ports());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        toClose.closeAll(LOG);
        if (cliClient != null) {
            cliClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        nodes.forEach(ServerProcess::close);
    }

    /** The {@code redis://} URIs of every node, to use as seeds. */
    public List<String> seeds() {
        return ports().stream().map(p -> "redis://127.0.0.1:" + p).toList();
    }

    /** A new facade on the cluster, closed after the class (or earlier by the test). */
    public PulseRedis newPulseRedis() {
        return track(PulseRedis.cluster(seeds().toArray(String[]::new)));
    }

    /** Closes {@code resource} after the class (in reverse order of tracking). */
    public <T extends AutoCloseable> T track(T resource) {
        return toClose.add(resource);
    }

    /** A plain Lettuce cluster connection (string codec, default options) for a test to look at Redis. */
    public synchronized RedisAdvancedClusterCommands<String, String> cli() {
        if (cliConnection == null) {
            cliClient = RedisClusterClient.create(seeds().stream().map(RedisURI::create).toList());
            cliConnection = cliClient.connect();
        }
        return cliConnection.sync();
    }

    /** The hash slot of {@code key}. */
    public static int slotOf(String key) {
        return SlotHash.getSlot(key);
    }

    /** The ports of every node started (also of killed ones). */
    public List<Integer> ports() {
        return nodes.stream().map(ServerProcess::port).toList();
    }

    /** Master port -> its slot ranges, as a live node sees the cluster now. */
    public Map<Integer, List<int[]>> masters() {
        Map<Integer, List<int[]>> masters = new LinkedHashMap<>();
        for (String[] line : clusterNodes()) {
            if (line[2].contains("master") && !line[2].contains("fail")) {
                List<int[]> ranges = new ArrayList<>();
                for (int i = 8; i < line.length; i++) {
                    if (line[i].startsWith("[")) {
                        continue; // a slot being migrated or imported
                    }
                    String[] bounds = line[i].split("-");
                    int from = Integer.parseInt(bounds[0]);
                    ranges.add(new int[] {from, bounds.length > 1 ? Integer.parseInt(bounds[1]) : from});
                }
                if (!ranges.isEmpty()) {
                    masters.put(portOf(line[1]), ranges);
                }
            }
        }
        return masters;
    }

    /** The port of the master serving {@code slot} now. */
    public int masterOfSlot(int slot) {
        for (Map.Entry<Integer, List<int[]>> master : masters().entrySet()) {
            for (int[] range : master.getValue()) {
                if (slot >= range[0] && slot <= range[1]) {
                    return master.getKey();
                }
            }
        }
        throw new IllegalStateException("no master serves slot " + slot);
    }

    /** The port of the master holding {@code key}. */
    public int masterOfKey(String key) {
        return masterOfSlot(slotOf(key));
    }

    /** Runs {@code command} on the node at {@code port} alone, on a connection opened for it. */
    public <T> T onNode(int port, Function<RedisCommands<String, String>, T> command) {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return command.apply(connection.sync());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** SIGKILLs the node at {@code port}. */
    public void kill(int port) {
        node(port).kill();
    }

    /** Freezes the node at {@code port} with SIGSTOP. */
    public void pause(int port) {
        node(port).signal("-STOP");
    }

    /** Lets a paused node run again (SIGCONT). */
    public void resume(int port) {
        node(port).signal("-CONT");
    }

    /** The ports of the live replicas of the master at {@code masterPort}. */
    public List<Integer> replicasOf(int masterPort) {
        String masterId = onNode(masterPort, RedisCommands::clusterMyId);
        return clusterNodes().stream().filter(l -> l[2].contains("slave") && l[3].equals(masterId)
                && !l[2].contains("fail")).map(l -> portOf(l[1])).toList();
    }

    /** Starts a killed node again (with its cluster config; a former master comes back as a replica). */
    public void restart(int port) {
        node(port).start();
    }

    /**
     * Kills the master at {@code port} and waits until one of its replicas serves its slots and the
     * cluster is healthy again (every slot served, {@code cluster_state:ok} on every live node).
     */
    public void killMasterAndAwaitFailover(int port) {
        List<int[]> slots = masters().get(port);
        if (slots == null) {
            throw new IllegalArgumentException("no master on port " + port);
        }
        kill(port);
        Waits.until("a replica of " + port + " serves its slots", DEADLINE,
                () -> masterOfSlot(slots.get(0)[0]) != port);
        awaitHealthy();
    }

    /**
     * Moves {@code slot} to the master at {@code targetPort} the way {@code redis-cli --cluster
     * reshard} does, while clients go on using it: marks it importing and migrating, {@code MIGRATE}s
     * its keys in batches, then assigns it to the target on every master.
     */
    public void moveSlot(int slot, int targetPort) {
        int sourcePort = masterOfSlot(slot);
        if (sourcePort == targetPort) {
            throw new IllegalArgumentException("slot " + slot + " is served by " + targetPort + " already");
        }
        String sourceId = onNode(sourcePort, RedisCommands::clusterMyId);
        String targetId = onNode(targetPort, RedisCommands::clusterMyId);
        onNode(targetPort, c -> c.clusterSetSlotImporting(slot, sourceId));
        onNode(sourcePort, c -> c.clusterSetSlotMigrating(slot, targetId));
        onNode(sourcePort, c -> {
            List<String> keys;
            while (!(keys = c.clusterGetKeysInSlot(slot, 100)).isEmpty()) {
                c.migrate("127.0.0.1", targetPort, 0, 10_000,
                        io.lettuce.core.MigrateArgs.Builder.keys(keys));
            }
            return null;
        });
        for (int port : masters().keySet()) {
            onNode(port, c -> c.clusterSetSlotNode(slot, targetId));
        }
        Waits.until("slot " + slot + " is served by " + targetPort, DEADLINE, () -> masterOfSlot(slot) == targetPort);
        awaitHealthy();
    }

    /**
     * Waits until every live node reports {@code cluster_state:ok}, every slot is served and every live
     * replica is in sync with its master (so that it can take over).
     */
    public void awaitHealthy() {
        Waits.until("the cluster is healthy", DEADLINE, () -> {
            for (ServerProcess node : nodes) {
                if (!node.isAlive()) {
                    continue;
                }
                if (!onNode(node.port(), RedisCommands::clusterInfo).contains("cluster_state:ok")) {
                    return false;
                }
                String replication = onNode(node.port(), c -> c.info("replication"));
                if (replication.contains("role:slave") && !replication.contains("master_link_status:up")) {
                    return false;
                }
            }
            int covered = 0;
            for (List<int[]> ranges : masters().values()) {
                for (int[] range : ranges) {
                    covered += range[1] - range[0] + 1;
                }
            }
            return covered == SlotHash.SLOT_COUNT;
        });
    }

    private List<String[]> clusterNodes() {
        for (ServerProcess node : nodes) {
            if (node.isAlive()) {
                try {
                    String text = onNode(node.port(), RedisCommands::clusterNodes);
                    return text.lines().filter(l -> !l.isBlank()).map(l -> l.split(" ")).toList();
                } catch (RuntimeException e) {
                    LOG.debug("node {} did not answer CLUSTER NODES", node.port(), e);
                }
            }
        }
        throw new IllegalStateException("no live node answers CLUSTER NODES");
    }

    private static int portOf(String address) {
        String hostPort = address.substring(0, address.indexOf('@'));
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private ServerProcess node(int port) {
        return nodes.stream().filter(n -> n.port() == port).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node on port " + port));
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
