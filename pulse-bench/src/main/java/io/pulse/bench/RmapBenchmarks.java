package io.pulse.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the replicated-map benchmarks and prints one markdown table, each Pulse figure beside its
 * baseline measured in the same run:
 * <ol>
 *   <li>{@code ReplicatedMap.get} on a 1,000-key replica vs {@code ConcurrentHashMap.get}, in ns/op
 *       ({@link ReplicatedMapGetBenchmark}, JMH, one fork, 3 x 1 s warm-up, 5 x 1 s measurement); goal:
 *       at most 2x;</li>
 *   <li>{@code setAsync} throughput with 256 requests in flight vs raw Lettuce {@code EVALSHA} of the
 *       same script ({@link SetThroughputBenchmark}); goal: at least 0.7x;</li>
 *   <li>replication lag between two processes' replicas at 5,000 writes/s vs raw Lettuce
 *       {@code EVALSHA} to a raw pub/sub listener ({@link ReplicationLagBenchmark}); goal: p50 and p99
 *       within 1.5x.</li>
 * </ol>
 * Beyond the replicated map, the same table takes the stream benchmarks ({@link StreamBenchmarks},
 * argument {@code streams}) and, only when asked for, the pool measurements ({@link PoolMeasurements},
 * argument {@code pool}, several minutes) and the dispatch, push-acknowledgement and footprint
 * measurements ({@link PerformanceBenchmarks}, arguments {@code dispatch}, {@code push-ack},
 * {@code footprint}) and the cost of the event hook ({@link HookOverheadBenchmark}, argument {@code hook}).
 *
 * <p>Redis: {@code PULSE_REDIS_URL}, else {@code redis://127.0.0.1:6379} if it answers, else a
 * {@code redis-server} from the {@code PATH} started for the run and stopped after it. Arguments pick
 * a subset: any of {@code get}, {@code throughput}, {@code lag}, {@code streams}, {@code pool},
 * {@code dispatch}, {@code push-ack}, {@code footprint}, {@code hook} (default: the first four).
 */
public final class RmapBenchmarks {

    private static final List<String> ALL = List.of("get", "throughput", "lag", "streams", "pool", "dispatch",
            "push-ack", "footprint", "hook");
    private static final List<String> DEFAULT = List.of("get", "throughput", "lag", "streams");

    private static final String PULSE_LOG_LEVEL = "org.slf4j.simpleLogger.log.io.pulse";

    private RmapBenchmarks() {
    }

    /** Runs the benchmarks named in {@code args} (all when none) and prints the table. */
    public static void main(String[] args) throws Exception {
        Set<String> selected = new LinkedHashSet<>();
        for (String arg : args) {
            String name = arg.toLowerCase(Locale.ROOT);
            if (!ALL.contains(name)) {
                System.err.println("usage: RmapBenchmarks [get] [throughput] [lag] [streams] [pool] [dispatch] "
                        + "[push-ack] [footprint] [hook]   (unknown: "
                        + arg + ")");
                System.exit(2);
            }
            selected.add(name);
        }
        if (selected.isEmpty()) {
            selected.addAll(DEFAULT);
        }
        // Pulse logs every job start and dispatch at INFO: keep warnings only, unless told otherwise
        if (System.getProperty(PULSE_LOG_LEVEL) == null) {
            System.setProperty(PULSE_LOG_LEVEL, "warn");
        }
        int steps = 0;
        for (String name : ALL) {
            steps += selected.contains(name) ? 1 : 0;
        }
        int step = 0;

        long started = System.nanoTime();
        List<Row> rows = new ArrayList<>();
        String header;
        try (BenchRedis redis = BenchRedis.acquire()) {
            header = String.format(Locale.ROOT, "Redis %s at %s (%s); Java %s; %d cores",
                    BenchRedis.version(redis.url()), redis.url(), redis.origin(),
                    System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
            header += String.format(Locale.ROOT, "; load average at start %.2f", loadAverage());
            System.out.println("# " + header);
            if (selected.contains("get")) {
                System.out.println(progress(++step, steps, "ReplicatedMap.get vs ConcurrentHashMap.get (JMH)"));
                rows.addAll(getRows(redis.url()));
            }
            if (selected.contains("throughput")) {
                System.out.println(progress(++step, steps, "setAsync throughput, 256 in flight"));
                SetThroughputBenchmark.Result r = new SetThroughputBenchmark(redis.url(), 256,
                        Duration.ofSeconds(2), Duration.ofSeconds(2), 5).run();
                rows.add(Row.higherIsBetter("`setAsync` vs `EVALSHA set.lua`, " + r.inFlight()
                        + " in flight (ops/s)", r.pulseOpsPerSecond(), r.rawOpsPerSecond(), "%,.0f", 0.7));
                rows.add(Row.info("`setAsync` vs `EVALSHA set.lua` + a raw subscriber on the channel, "
                        + r.inFlight() + " in flight (ops/s)", r.pulseOpsPerSecond(), r.rawSubscribedOpsPerSecond(),
                        "%,.0f"));
            }
            if (selected.contains("lag")) {
                System.out.println(progress(++step, steps, "replication lag at 5,000 writes/s"));
                ReplicationLagBenchmark.Result r = new ReplicationLagBenchmark(redis.url(), 5_000,
                        Duration.ofSeconds(2), Duration.ofSeconds(1), 8).run();
                rows.addAll(lagRows(r));
            }
            if (selected.contains("streams")) {
                System.out.println(progress(++step, steps, "streams: add throughput and latency, sink drain, "
                        + "end-to-end latency"));
                rows.addAll(StreamBenchmarks.run(redis.url()));
            }
            if (selected.contains("pool")) {
                System.out.println(progress(++step, steps, "pools: idle cost and failover after SIGKILL "
                        + "(several minutes)"));
                rows.addAll(PoolMeasurements.run(redis.url()));
            }
            if (selected.contains("dispatch")) {
                System.out.println(progress(++step, steps, "pool dispatch vs the same Redis commands back to back"));
                rows.addAll(PerformanceBenchmarks.dispatch(redis.url()));
            }
            if (selected.contains("push-ack")) {
                System.out.println(progress(++step, steps, "sink drain: push + ack(event) vs pull + ack(batch)"));
                rows.addAll(PerformanceBenchmarks.pushAck(redis.url()));
            }
            if (selected.contains("footprint")) {
                System.out.println(progress(++step, steps, "idle full node with 4 and 100 workers: threads, memory, "
                        + "connections, commands"));
                rows.addAll(PerformanceBenchmarks.footprint(redis.url()));
            }
            if (selected.contains("hook")) {
                System.out.println(progress(++step, steps, "the event hook: no listener, a no-op one, the Micrometer "
                        + "binder"));
                rows.addAll(hookRows(new HookOverheadBenchmark(redis.url(), Duration.ofSeconds(2), 5, 10).run()));
            }
        }

        header += String.format(Locale.ROOT, ", at end %.2f (other processes on the machine skew the figures)",
                loadAverage());
        System.out.println();
        System.out.println("Environment: " + header);
        System.out.println();
        System.out.println("| benchmark | Pulse | raw Lettuce (baseline) | ratio | goal | met |");
        System.out.println("|---|---:|---:|---:|---|---|");
        for (Row row : rows) {
            System.out.println(row.markdown());
        }
        System.out.printf(Locale.ROOT, "%nTotal time: %.0f s%n", (System.nanoTime() - started) / 1e9);
    }

    private static List<Row> getRows(String redisUrl) throws Exception {
        Options options = new OptionsBuilder()
                .include(ReplicatedMapGetBenchmark.class.getName() + "\\.")
                .param("redisUrl", redisUrl)
                .param("keyCount", "1000")
                .forks(1)
                .threads(1)
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(1))
                .timeUnit(TimeUnit.NANOSECONDS)
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Result<?> pulse = result(results, "replicatedMapGet");
        Result<?> pulseOptional = result(results, "replicatedMapGetOptional");
        Result<?> baseline = result(results, "concurrentHashMapGet");
        Row main = Row.lowerIsBetter("`ReplicatedMap.get(k).orElse(null)` vs `ConcurrentHashMap.get`, 1,000 keys "
                + "(ns/op ± 99.9% CI; baseline: the CHM)", pulse.getScore(), baseline.getScore(), "%.2f", 2.0);
        Row optional = Row.info("`ReplicatedMap.get(k)` returning the `Optional` vs `ConcurrentHashMap.get` "
                + "(ns/op ± 99.9% CI)", pulseOptional.getScore(), baseline.getScore(), "%.2f");
        return List.of(main.withCells(withError(pulse), withError(baseline)),
                optional.withCells(withError(pulseOptional), withError(baseline)));
    }

    private static Result<?> result(Collection<RunResult> results, String method) {
        for (RunResult result : results) {
            String benchmark = result.getParams().getBenchmark();
            if (benchmark.endsWith("." + method)) {
                return result.getPrimaryResult();
            }
        }
        throw new IllegalStateException("JMH produced no result for " + method);
    }

    private static String withError(Result<?> result) {
        double error = result.getScoreError();
        return Double.isNaN(error) ? String.format(Locale.ROOT, "%.2f", result.getScore())
                : String.format(Locale.ROOT, "%.2f ± %.2f", result.getScore(), error);
    }

    private static List<Row> lagRows(ReplicationLagBenchmark.Result r) {
        ReplicationLagBenchmark.Lag p = r.pulse();
        ReplicationLagBenchmark.Lag d = r.pulseDirect();
        ReplicationLagBenchmark.Lag raw = r.raw();
        String at = String.format(Locale.ROOT, " at %,d writes/s (µs)", r.writesPerSecond());
        String direct = ", listener on the applying thread (`executor(Runnable::run)`)";
        List<Row> rows = new ArrayList<>();
        rows.add(Row.lowerIsBetter("replication lag p50" + at, micros(p.p50()), micros(raw.p50()), "%.1f", 1.5));
        rows.add(Row.lowerIsBetter("replication lag p99" + at, micros(p.p99()), micros(raw.p99()), "%.1f", 1.5));
        rows.add(Row.info("replication lag p99.9" + at, micros(p.p999()), micros(raw.p999()), "%.1f"));
        rows.add(Row.info("replication lag max" + at, micros(p.max()), micros(raw.max()), "%.1f"));
        rows.add(Row.info("replication lag p50" + direct + at, micros(d.p50()), micros(raw.p50()), "%.1f"));
        rows.add(Row.info("replication lag p99" + direct + at, micros(d.p99()), micros(raw.p99()), "%.1f"));
        rows.add(Row.text("replication writes seen / missed (Pulse, Pulse direct / raw)",
                p.samples() + " / " + p.missed() + ", " + d.samples() + " / " + d.missed(),
                raw.samples() + " / " + raw.missed()));
        return rows;
    }

    private static String progress(int step, int steps, String what) {
        return String.format(Locale.ROOT, "# [%d/%d] %s (load average %.2f)", step, steps, what, loadAverage());
    }

    /** The system's one-minute load average, or -1 where the platform has none. */
    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static double micros(long nanos) {
        return nanos / 1_000.0;
    }

    static List<Row> hookRows(HookOverheadBenchmark.Result r) {
        List<Row> rows = new ArrayList<>();
        addHookRows(rows, "`setAsync`, 256 in flight (ops/s)", r.set());
        addHookRows(rows, "`Stream.addAsync`, 256 in flight (ops/s)", r.add());
        addHookRows(rows, "sink drain, `read()` + `ack(batch)` of 1,000 (events/s)", r.drain());
        return rows;
    }

    private static void addHookRows(List<Row> rows, String what, Map<HookOverheadBenchmark.Side, Double> figures) {
        double none = figures.get(HookOverheadBenchmark.Side.NONE);
        rows.add(Row.higherIsBetter("hook: " + what + ", a no-op listener vs no listener",
                figures.get(HookOverheadBenchmark.Side.NO_OP), none, "%,.0f", 0.9));
        rows.add(Row.info("hook: " + what + ", `PulseMetrics` bound vs no listener",
                figures.get(HookOverheadBenchmark.Side.METRICS), none, "%,.0f"));
    }
}
