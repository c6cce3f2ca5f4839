package io.pulse.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * What an idle full node costs: a child JVM ({@link NodeFootprintProcess}, started from the running
 * jar with the JVM's default options) joins a pool of its own as the only node, with {@code workers}
 * idle workers, and a replicated map of 1,000 keys. After a settle time this process counts the
 * child's Redis connections ({@code CLIENT LIST}, new ones since before the child started) and the
 * Redis commands per second over a window ({@code INFO commandstats}), then has the child report its
 * threads, heap used after a full GC and resident set size, beside the same figures taken in the child
 * before it loaded Pulse. Give it a Redis nobody else uses.
 */
final class NodeFootprint {

    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final Duration WINDOW = Duration.ofSeconds(30);
    private static final int MAP_KEYS = 1_000;

    /** One report of the child: process-wide counts and its Java threads' names. */
    record State(int osThreads, long heapUsed, long rssKb, List<String> threads) {
    }

    /**
     * The figures of one node.
     *
     * @param jvm the child before it loaded Pulse
     * @param node the child idle with its node and map
     * @param connections the child's Redis connections by kind
     * @param commandsPerSecond idle Redis commands per second, by command
     * @param windowSeconds how long the commands were counted
     */
    record Result(int workers, State jvm, State node, Map<String, Integer> connections,
            Map<String, Double> commandsPerSecond, double windowSeconds) {

        /** The child's Java threads that Pulse and its Lettuce client started, by normalised name. */
        Map<String, Integer> pulseThreads() {
            Set<String> before = new HashSet<>(jvm.threads());
            Map<String, Integer> out = new TreeMap<>();
            for (String t : node.threads()) {
                if (!before.contains(t) && (t.startsWith("pulse-") || t.startsWith("lettuce-"))) {
                    out.merge(normalise(t), 1, Integer::sum);
                }
            }
            return out;
        }

        int connectionCount() {
            return connections.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private final String redisUrl;

    NodeFootprint(String redisUrl) {
        this.redisUrl = redisUrl;
    }

    /** Measures a node with {@code workers} workers; settle and window as in the class comment. */
    Result measure(int workers) throws Exception {
        return measure(workers, SETTLE, WINDOW);
    }

    Result measure(int workers, Duration settle, Duration window) throws Exception {
        String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
        String pool = "bench-footprint-" + suffix;
        String map = "bench-footprint-map-" + suffix;
        RedisClient probeClient = RedisClient.create(redisUrl);
        Path log = Files.createTempFile("pulse-bench-footprint-", ".log");
        Process child = null;
        try (StatefulRedisConnection<String, String> probe = probeClient.connect()) {
            RedisCommands<String, String> redis = probe.sync();
            Set<String> clientsBefore = clientIds(redis);
            child = start(pool, map, workers, log);
            BlockingQueue<String> lines = lines(child);
            State jvm = readState(lines, child, log);
            await(lines, "READY", child, log);
            Thread.sleep(settle.toMillis());
            Map<String, Integer> connections = newConnections(redis, clientsBefore);
            Map<String, Long> first = PoolMeasurements.commandCalls(redis);
            long start = System.nanoTime();
            Thread.sleep(window.toMillis());
            Map<String, Long> last = PoolMeasurements.commandCalls(redis);
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> perSecond = new LinkedHashMap<>();
            PoolMeasurements.delta(first, last).entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> perSecond.put(e.getKey(), e.getValue() / seconds));
            OutputStream in = child.getOutputStream();
            in.write("MEASURE\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            State node = readState(lines, child, log);
            in.close();
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the node process did not leave the pool within 60 s");
            }
            return new Result(workers, jvm, node, connections, perSecond, seconds);
        } finally {
            if (child != null && child.isAlive()) {
                child.destroyForcibly();
            }
            try (StatefulRedisConnection<String, String> probe = probeClient.connect()) {
                BenchKeys.deleteMatching(probe.sync(), "*" + suffix + "*");
            } finally {
                probeClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                Files.deleteIfExists(log);
            }
        }
    }

    private Process start(String pool, String map, int workers, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
                PoolFailover.ownClasspath(), NodeFootprintProcess.class.getName(), redisUrl, pool,
                Integer.toString(workers), map, Integer.toString(MAP_KEYS));
        return new ProcessBuilder(command).redirectError(log.toFile()).start();
    }

    /** The child's standard output, line by line, read by a thread of its own. */
    private static BlockingQueue<String> lines(Process child) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the child went away
            }
        }, "bench-footprint-child-stdout");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static String next(BlockingQueue<String> lines, Process child, Path log) throws Exception {
        String line = lines.poll(120, TimeUnit.SECONDS);
        if (line == null) {
            throw new IllegalStateException("the node process said nothing for 120 s (alive: " + child.isAlive()
                    + "); its log:\n" + Files.readString(log));
        }
        return line;
    }

    private static void await(BlockingQueue<String> lines, String expected, Process child, Path log) throws Exception {
        String line = next(lines, child, log);
        if (!line.equals(expected)) {
            throw new IllegalStateException("expected " + expected + " from the node process, got: " + line);
        }
    }

    private static State readState(BlockingQueue<String> lines, Process child, Path log) throws Exception {
        String head = next(lines, child, log);
        if (!head.startsWith("STATE ")) {
            throw new IllegalStateException("expected a STATE report from the node process, got: " + head);
        }
        Map<String, String> fields = new TreeMap<>();
        for (String part : head.split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                fields.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        List<String> threads = new ArrayList<>();
        for (String line = next(lines, child, log); !line.equals("END"); line = next(lines, child, log)) {
            threads.add(line.substring("THREAD ".length()));
        }
        return new State(Integer.parseInt(fields.get("osThreads")), Long.parseLong(fields.get("heapUsed")),
                Long.parseLong(fields.get("rss")), threads);
    }

    private static Set<String> clientIds(RedisCommands<String, String> redis) {
        Set<String> ids = new HashSet<>();
        for (Map<String, String> client : clients(redis)) {
            ids.add(client.get("id"));
        }
        return ids;
    }

    /**
     * Connections opened since {@code before}, by kind: pub/sub (subscribed to a channel), blocking
     * reads (last command {@code XREAD}/{@code XREADGROUP}), and the others by their last command.
     */
    private static Map<String, Integer> newConnections(RedisCommands<String, String> redis, Set<String> before) {
        Map<String, Integer> kinds = new TreeMap<>();
        String self = Long.toString(redis.clientId());
        for (Map<String, String> client : clients(redis)) {
            String id = client.get("id");
            if (before.contains(id) || id.equals(self)) {
                continue;
            }
            String cmd = client.getOrDefault("cmd", "?");
            String kind = !"0".equals(client.getOrDefault("sub", "0")) || !"0".equals(client.getOrDefault("psub", "0"))
                    ? "pub/sub" : cmd.startsWith("xread") ? "blocking " + cmd : "other (last: " + PerformanceBenchmarks.commandName(cmd) + ")";
            kinds.merge(kind, 1, Integer::sum);
        }
        return kinds;
    }

    private static List<Map<String, String>> clients(RedisCommands<String, String> redis) {
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : redis.clientList().split("\r?\n")) {
            Map<String, String> fields = new LinkedHashMap<>();
            for (String part : line.trim().split(" ")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    fields.put(part.substring(0, eq), part.substring(eq + 1));
                }
            }
            if (!fields.isEmpty()) {
                out.add(fields);
            }
        }
        return out;
    }

    /** A thread name with pool and map names, ids and counters replaced, so like threads group. */
    static String normalise(String thread) {
        return thread.replaceAll("bench-footprint-map-[0-9a-f]+", "<map>")
                .replaceAll("bench-footprint-[0-9a-f]+", "<pool>")
                .replaceAll("[0-9A-HJKMNP-TV-Z]{26}", "<id>")
                .replaceAll("-[0-9]+-[0-9]+$", "-<n>-<n>")
                .replaceAll("^(pulse-.*)-[0-9]+$", "$1");
    }

    /** Text for a map of counts: {@code name xN, ...}. */
    static String counts(Map<String, Integer> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((k, v) -> parts.add(v == 1 ? k : k + " x" + v));
        return String.join(", ", parts);
    }
}
