package io.pulse.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.pulse.core.PulseRedis;
import io.pulse.pool.Job;
import io.pulse.pool.JobHandler;
import io.pulse.pool.Node;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Measurements of worker pools (argument {@code pool}; not in the default run, it takes about six
 * minutes). There is no raw-Lettuce equivalent of a pool, so these rows have no baseline and no goal:
 * <ol>
 *   <li>what an idle pool costs Redis: 3 nodes with 4 workers each, all options at their defaults, in
 *       this process, each node on its own {@link PulseRedis}; after a 10 s settle, the deltas of
 *       {@code INFO commandstats} over 60 s, in total and per command. A 10 s window before the pool
 *       exists gives the Redis's background rate for comparison;</li>
 *   <li>the time from SIGKILL of a node to all of its jobs running elsewhere ({@link PoolFailover}), 5
 *       times with the default worker TTL (30 s) and 5 times with a worker TTL of 2 s and an ack grace
 *       period of 1 s: median and max.</li>
 * </ol>
 */
final class PoolMeasurements {

    private static final Duration BACKGROUND = Duration.ofSeconds(10);
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final Duration WINDOW = Duration.ofSeconds(60);
    private static final int NODES = 3;
    private static final int WORKERS_PER_NODE = 4;
    private static final int FAILOVER_RUNS = 5;

    private PoolMeasurements() {
    }

    /** Runs both measurements against {@code redisUrl} and returns their rows. */
    static List<Row> run(String redisUrl) throws Exception {
        List<Row> rows = new ArrayList<>();
        System.out.printf(Locale.ROOT, "#   pool: idle cost, %d nodes x %d workers (%d s background, %d s settle, "
                + "%d s window)%n", NODES, WORKERS_PER_NODE, BACKGROUND.toSeconds(), SETTLE.toSeconds(),
                WINDOW.toSeconds());
        rows.addAll(idleCost(redisUrl));
        rows.addAll(failover(redisUrl, null, null, "workerTtl 30 s, ackGracePeriod 20 s (defaults)"));
        rows.addAll(failover(redisUrl, Duration.ofSeconds(2), Duration.ofSeconds(1),
                "workerTtl 2 s, ackGracePeriod 1 s"));
        return rows;
    }

    // ------------------------------------------------------------------ idle cost

    private static List<Row> idleCost(String redisUrl) throws Exception {
        String pool = "bench-idle-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        RedisClient probeClient = RedisClient.create(redisUrl);
        List<PulseRedis> facades = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        try (StatefulRedisConnection<String, String> probe = probeClient.connect()) {
            RedisCommands<String, String> commands = probe.sync();
            Map<String, Long> before = commandCalls(commands);
            Thread.sleep(BACKGROUND.toMillis());
            Map<String, Long> background = delta(before, commandCalls(commands));

            JobHandler idle = new JobHandler() {
                @Override
                public void start(Job job) {
                }

                @Override
                public void stop(String key) {
                }
            };
            for (int n = 0; n < NODES; n++) {
                PulseRedis redis = PulseRedis.connect(redisUrl);
                facades.add(redis);
                Node node = Node.join(pool, redis);
                nodes.add(node);
                for (int w = 0; w < WORKERS_PER_NODE; w++) {
                    node.addWorker(idle);
                }
            }
            Thread.sleep(SETTLE.toMillis());
            double loadBefore = RmapBenchmarks.loadAverage();
            long start = System.nanoTime();
            Map<String, Long> first = commandCalls(commands);
            Thread.sleep(WINDOW.toMillis());
            Map<String, Long> last = commandCalls(commands);
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Long> idleDelta = delta(first, last);

            List<Row> rows = new ArrayList<>();
            String setup = String.format(Locale.ROOT, "pool idle, %d nodes x %d workers, defaults", NODES,
                    WORKERS_PER_NODE);
            double total = sum(idleDelta) / seconds;
            double backgroundTotal = sum(background) / (BACKGROUND.toNanos() / 1e9);
            rows.add(Row.text(String.format(Locale.ROOT, "%s: Redis commands/s, all (INFO commandstats over %.0f s, "
                    + "load average %.2f to %.2f; baseline: the same Redis before the pool)", setup, seconds,
                    loadBefore, RmapBenchmarks.loadAverage()),
                    String.format(Locale.ROOT, "%.1f", total),
                    String.format(Locale.ROOT, "%.1f (background)", backgroundTotal)));
            rows.add(Row.text(setup + ": Redis commands/s per worker", String.format(Locale.ROOT, "%.2f",
                    total / (NODES * WORKERS_PER_NODE)), "—"));
            idleDelta.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> rows.add(Row.text(setup + ": `" + e.getKey() + "` calls/s",
                            String.format(Locale.ROOT, "%.2f", e.getValue() / seconds),
                            String.format(Locale.ROOT, "%.2f", background.getOrDefault(e.getKey(), 0L)
                                    / (BACKGROUND.toNanos() / 1e9)))));
            return rows;
        } finally {
            if (!nodes.isEmpty()) {
                nodes.get(0).shutdown();
            }
            for (int i = nodes.size() - 1; i >= 0; i--) {
                nodes.get(i).close();
            }
            facades.forEach(PulseRedis::close);
            try (StatefulRedisConnection<String, String> probe = probeClient.connect()) {
                BenchKeys.deleteMatching(probe.sync(), "*" + pool + "*");
            } finally {
                probeClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }

    /** Calls per command from {@code INFO commandstats} (commands run by scripts are counted too). */
    static Map<String, Long> commandCalls(RedisCommands<String, String> commands) {
        Map<String, Long> calls = new TreeMap<>();
        for (String line : commands.info("commandstats").split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            int colon = line.indexOf(':');
            int at = line.indexOf("calls=", colon);
            int end = line.indexOf(',', at);
            calls.put(line.substring("cmdstat_".length(), colon),
                    Long.parseLong(line.substring(at + "calls=".length(), end < 0 ? line.length() : end)));
        }
        return calls;
    }

    /**
     * Calls between two snapshots, per command, leaving out the probe's own {@code INFO} (the first
     * snapshot's call is counted in the second).
     */
    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> delta = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long n = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (e.getKey().equals("info")) {
                n -= 1;
            }
            if (n > 0) {
                delta.put(e.getKey(), n);
            }
        }
        return delta;
    }

    private static long sum(Map<String, Long> calls) {
        return calls.values().stream().mapToLong(Long::longValue).sum();
    }

    // ------------------------------------------------------------------ failover

    private static List<Row> failover(String redisUrl, Duration ttl, Duration grace, String label) throws Exception {
        PoolFailover failover = new PoolFailover(redisUrl, ttl, grace);
        double[] all = new double[FAILOVER_RUNS];
        double[] first = new double[FAILOVER_RUNS];
        int[] moved = new int[FAILOVER_RUNS];
        for (int i = 0; i < FAILOVER_RUNS; i++) {
            System.out.printf(Locale.ROOT, "#   pool: failover after SIGKILL, %s, run %d/%d (load average %.2f)%n",
                    label, i + 1, FAILOVER_RUNS, RmapBenchmarks.loadAverage());
            PoolFailover.Run run = failover.run();
            all[i] = run.allMillis() / 1000;
            first[i] = run.firstMillis() / 1000;
            moved[i] = run.jobsMoved();
            System.out.printf(Locale.ROOT, "#     %d jobs moved: first started after %.2f s, all after %.2f s "
                    + "(killed %.2f s after the child was ready; the %d dispatches took %.2f s)%n", run.jobsMoved(),
                    first[i], all[i], run.readyToKillMillis() / 1000, PoolFailover.JOBS, run.dispatchMillis() / 1000);
        }
        String what = "pool failover, SIGKILL of a node until all its jobs started elsewhere (2 + 2 workers here, 1 "
                + "killed; " + PoolFailover.JOBS + " jobs), " + label + ", " + FAILOVER_RUNS + " runs";
        List<Row> rows = new ArrayList<>();
        rows.add(Row.text(what + ": median / max (s)", String.format(Locale.ROOT, "%.2f / %.2f", median(all),
                max(all)), "—"));
        rows.add(Row.text(what + ": every run, first / all started (s), jobs moved", runs(first, all, moved), "—"));
        return rows;
    }

    private static String runs(double[] first, double[] all, int[] moved) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            parts.add(String.format(Locale.ROOT, "%.2f / %.2f (%d)", first[i], all[i], moved[i]));
        }
        return String.join("; ", parts);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }
}
