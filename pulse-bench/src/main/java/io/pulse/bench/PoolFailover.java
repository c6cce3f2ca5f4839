package io.pulse.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.pulse.core.KeyLayout;
import io.pulse.core.PulseRedis;
import io.pulse.pool.Job;
import io.pulse.pool.JobHandler;
import io.pulse.pool.Node;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How long a pool takes to run a killed node's jobs elsewhere. One run: two nodes with two workers
 * each in this process (each node on its own {@link PulseRedis}, as separate processes would be), a
 * third node with one worker in a child JVM ({@link PoolWorkerProcess}, started from the running
 * jar), and a client-only node that dispatches 300 jobs and waits until each started. The jobs the
 * child's worker owns are read from the pool's jobs map ({@code map:<pool>:jobs:content}, worker id ->
 * JSON list of keys). Then the child is killed with SIGKILL ({@link Process#destroyForcibly()}) and the
 * clock runs until every one of those jobs has started again on a worker of this process (the handler
 * records each start's time).
 *
 * <p>Every node, the child included, uses the same {@code workerTtl} and {@code ackGracePeriod} (the
 * defaults, or the values given). Each run uses a pool of its own, shut down and deleted afterwards.
 */
final class PoolFailover {

    /**
     * One run's outcome.
     *
     * @param jobsMoved how many jobs the killed node's worker owned
     * @param firstMillis kill until the first of them started elsewhere
     * @param allMillis kill until the last of them started elsewhere
     * @param readyToKillMillis the child's READY until its kill (its worker's last keep-alive was at
     *     most a keep-alive period before the kill)
     * @param dispatchMillis how long the 300 dispatches took until every job had started
     */
    record Run(int jobsMoved, double firstMillis, double allMillis, double readyToKillMillis,
            double dispatchMillis) {
    }

    static final int JOBS = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String redisUrl;
    private final Duration workerTtl;
    private final Duration ackGrace;

    /**
     * @param redisUrl the Redis of the pool
     * @param workerTtl the worker TTL of every node, or {@code null} for the default (30 s)
     * @param ackGrace the ack grace period of every node, or {@code null} for the default (20 s)
     */
    PoolFailover(String redisUrl, Duration workerTtl, Duration ackGrace) {
        this.redisUrl = redisUrl;
        this.workerTtl = workerTtl;
        this.ackGrace = ackGrace;
    }

    /** The worker TTL in force. */
    Duration effectiveWorkerTtl() {
        return workerTtl == null ? Duration.ofSeconds(30) : workerTtl;
    }

    /** One measured kill, on a fresh pool. */
    Run run() throws Exception {
        String pool = "bench-failover-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        Map<String, Long> lastStart = new ConcurrentHashMap<>();
        JobHandler recording = new JobHandler() {
            @Override
            public void start(Job job) {
                lastStart.put(job.key(), System.nanoTime());
            }

            @Override
            public void stop(String key) {
            }
        };
        List<PulseRedis> facades = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        Process child = null;
        Path childLog = Files.createTempFile("pulse-bench-pool-child-", ".log");
        RedisClient rawClient = RedisClient.create(redisUrl);
        String childWorker = null;
        List<String> sinkConsumers = List.of();
        try (StatefulRedisConnection<String, String> raw = rawClient.connect()) {
            RedisCommands<String, String> commands = raw.sync();
            for (int n = 0; n < 2; n++) {
                PulseRedis redis = PulseRedis.connect(redisUrl);
                facades.add(redis);
                Node node = configure(Node.builder(pool, redis)).join();
                nodes.add(node);
                node.addWorker(recording);
                node.addWorker(recording);
            }
            // the child joins last, so its worker is the newest: its removal moves only its own jobs
            child = startChild(pool, childLog);
            childWorker = awaitReady(child, childLog);
            long ready = System.nanoTime();
            PulseRedis clientRedis = PulseRedis.connect(redisUrl);
            facades.add(clientRedis);
            Node client = configure(Node.builder(pool, clientRedis)).clientOnly().join();
            nodes.add(client);
            awaitWorkers(nodes.subList(0, 2), 5);

            long dispatchStart = System.nanoTime();
            List<CompletableFuture<Void>> dispatches = new ArrayList<>(JOBS);
            byte[] payload = "payload".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < JOBS; i++) {
                dispatches.add(client.dispatchJobAsync(String.format("job-%03d", i), payload));
            }
            CompletableFuture.allOf(dispatches.toArray(new CompletableFuture[0])).get(2, TimeUnit.MINUTES);
            double dispatchMillis = (System.nanoTime() - dispatchStart) / 1e6;

            Map<String, List<String>> owners = jobLists(commands, pool);
            int owned = owners.values().stream().mapToInt(List::size).sum();
            if (owned != JOBS) {
                throw new IllegalStateException("the jobs map lists " + owned + " jobs, not " + JOBS + ": " + owners);
            }
            Set<String> moving = new HashSet<>(owners.getOrDefault(childWorker, List.of()));
            if (moving.isEmpty()) {
                throw new IllegalStateException("the child's worker " + childWorker + " owns no job: " + owners.keySet());
            }
            KeyLayout layout = BenchKeys.LAYOUT;
            sinkConsumers = jobList(commands.hget(layout.mapContentKey(layout.sinkRegistryMap(layout.poolStream(pool))),
                    layout.poolSinkName()));

            long killed = System.nanoTime();
            child.destroyForcibly();
            long deadline = killed + effectiveWorkerTtl().multipliedBy(3).plusSeconds(60).toNanos();
            long first = Long.MAX_VALUE;
            long last;
            while (true) {
                last = 0;
                int started = 0;
                for (String key : moving) {
                    Long at = lastStart.get(key);
                    if (at != null && at - killed > 0) {
                        started++;
                        first = Math.min(first, at);
                        last = Math.max(last, at);
                    }
                }
                if (started == moving.size()) {
                    break;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new TimeoutException(started + " of the killed node's " + moving.size()
                            + " jobs started elsewhere within " + Duration.ofNanos(deadline - killed));
                }
                Thread.sleep(2);
            }
            child.waitFor(10, TimeUnit.SECONDS);
            // let the cleaning node finish removing the dead worker before the pool shuts down
            awaitGone(commands, pool, childWorker, Duration.ofSeconds(20));
            return new Run(moving.size(), (first - killed) / 1e6, (last - killed) / 1e6, (killed - ready) / 1e6,
                    dispatchMillis);
        } finally {
            if (child != null && child.isAlive()) {
                child.destroyForcibly();
            }
            tearDown(pool, nodes, facades, childWorker, sinkConsumers, rawClient);
            Files.deleteIfExists(childLog);
        }
    }

    private Node.Builder configure(Node.Builder builder) {
        if (workerTtl != null) {
            builder.workerTtl(workerTtl);
        }
        if (ackGrace != null) {
            builder.ackGracePeriod(ackGrace);
        }
        return builder;
    }

    /** {@code java -cp <the running jar> io.pulse.bench.PoolWorkerProcess ...} with the same options. */
    private Process startChild(String pool, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", ownClasspath(),
                PoolWorkerProcess.class.getName(), redisUrl, pool,
                Long.toString(workerTtl == null ? 0 : workerTtl.toMillis()),
                Long.toString(ackGrace == null ? 0 : ackGrace.toMillis()));
        return new ProcessBuilder(command).redirectError(log.toFile()).start();
    }

    /** The running jar, or this JVM's class path when not run from a jar. */
    static String ownClasspath() {
        try {
            File source = new File(PoolFailover.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (source.isFile()) {
                return source.getPath();
            }
        } catch (Exception e) {
            // fall back to the class path
        }
        return System.getProperty("java.class.path");
    }

    /** Reads the child's standard output until {@code READY <workerId>}; returns the worker id. */
    private static String awaitReady(Process child, Path log) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = new CompletableFuture<>();
        // a thread of its own: the read blocks, and the common pool may be needed meanwhile
        Thread readLines = new Thread(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("READY ")) {
                        ready.complete(line.substring("READY ".length()).trim());
                        return;
                    }
                }
            } catch (IOException e) {
                // the child went away: no READY
            }
            ready.complete(null);
        }, "bench-pool-child-stdout");
        readLines.setDaemon(true);
        readLines.start();
        String worker;
        try {
            worker = ready.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            worker = null;
        }
        if (worker == null) {
            child.destroyForcibly();
            throw new IllegalStateException("the child node did not get ready; its log:\n" + Files.readString(log));
        }
        return worker;
    }

    /** Waits until each of {@code nodes} sees {@code count} workers in its replica of the pool. */
    private static void awaitWorkers(List<Node> nodes, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Node node : nodes) {
            while (node.poolWorkers().size() != count) {
                if (System.nanoTime() - deadline > 0) {
                    throw new TimeoutException(node + " sees " + node.poolWorkers().size() + " workers, not " + count);
                }
                Thread.sleep(10);
            }
        }
    }

    /** The pool's jobs map from Redis: worker id -> job keys. */
    static Map<String, List<String>> jobLists(RedisCommands<String, String> commands, String pool) throws IOException {
        Map<String, List<String>> lists = new java.util.HashMap<>();
        for (Map.Entry<String, String> e : commands.hgetall(poolMapKey(pool, KeyLayout.PoolMap.JOBS)).entrySet()) {
            if (!e.getKey().startsWith("=")) { // "=..." fields are the map's own bookkeeping
                lists.put(e.getKey(), jobList(e.getValue()));
            }
        }
        return lists;
    }

    private static List<String> jobList(String json) throws IOException {
        List<String> keys = new ArrayList<>();
        if (json == null) {
            return keys;
        }
        JsonNode node = JSON.readTree(json);
        if (node != null && node.isArray()) {
            node.forEach(n -> keys.add(n.asText()));
        }
        return keys;
    }

    /** The hash of one of {@code pool}'s maps. */
    private static String poolMapKey(String pool, KeyLayout.PoolMap map) {
        return BenchKeys.LAYOUT.mapContentKey(BenchKeys.LAYOUT.poolMap(pool, map));
    }

    /** Waits until {@code worker} left the pool's workers and jobs maps. */
    private static void awaitGone(RedisCommands<String, String> commands, String pool, String worker, Duration max)
            throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() - deadline < 0 && (commands.hexists(poolMapKey(pool, KeyLayout.PoolMap.WORKERS), worker)
                || commands.hexists(poolMapKey(pool, KeyLayout.PoolMap.JOBS), worker))) {
            Thread.sleep(20);
        }
    }

    /**
     * Shuts the pool down from a surviving node, closes everything, and deletes what is left: the
     * pool's keys, the killed worker's stream, and the killed node's consumer in the keep-alive map
     * that every pool's {@code events} sink shares.
     */
    private static void tearDown(String pool, List<Node> nodes, List<PulseRedis> facades, String childWorker,
            List<String> sinkConsumers, RedisClient rawClient) {
        try {
            if (!nodes.isEmpty()) {
                nodes.get(0).shutdown();
            }
        } catch (RuntimeException e) {
            System.err.println("pool shutdown failed: " + e);
        }
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
        for (PulseRedis redis : facades) {
            redis.close();
        }
        try (StatefulRedisConnection<String, String> raw = rawClient.connect()) {
            // the sink's own map (user code may not join it): a raw delete, which its replicas pick up
            // at the map's next write
            if (!sinkConsumers.isEmpty()) {
                KeyLayout layout = BenchKeys.LAYOUT;
                String poolStream = layout.poolStream(pool);
                raw.sync().hdel(layout.mapContentKey(layout.sinkKeepAliveMap(poolStream, layout.poolSinkName())),
                        sinkConsumers.toArray(new String[0]));
            }
            BenchKeys.deleteMatching(raw.sync(), "*" + pool + "*");
            if (childWorker != null) {
                raw.sync().del(BenchKeys.LAYOUT.streamKey(BenchKeys.LAYOUT.workerStream(pool, childWorker)));
            }
        } finally {
            rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
