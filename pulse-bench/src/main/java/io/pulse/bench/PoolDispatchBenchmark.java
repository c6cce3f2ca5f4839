package io.pulse.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Pool dispatch throughput and latency ({@link PulseDispatchPool}: one full node with 4 workers whose
 * start returns at once, one client-only node dispatching) beside the floor of the same Redis commands
 * issued back to back ({@link RawDispatchFloor}), at several numbers of concurrent dispatchers.
 *
 * <p>A window dispatches every one of the 2,000 keys once: the dispatchers (threads calling the
 * blocking dispatch) each take the next key until none is left. The window's rate is 2,000 over its
 * wall time; each dispatch's latency is recorded. After a window its side is reset (every job stopped,
 * not timed) so the next window can use the same keys. Per number of dispatchers the sides take turns
 * (who goes first alternates), {@code rounds} windows each; figures are over all windows of a side. The
 * {@code INFO commandstats} deltas of each window, divided by its dispatches, give the Redis commands
 * per dispatch (scripts' inner commands included, background work of the window too).
 */
final class PoolDispatchBenchmark {

    static final int WORKERS = 4;
    private static final int WARMUP_WINDOWS = 3;

    /**
     * One side's figures at one number of dispatchers.
     *
     * @param perSecond dispatches per second over all its windows
     * @param latency per-dispatch latency
     * @param commandsPerDispatch {@code INFO commandstats} calls per dispatch, by command
     * @param redisCpuMicros Redis CPU per dispatch (µs)
     * @param clientCpuMicros this JVM's CPU per dispatch (µs): both nodes, or the raw client
     * @param threads what this JVM's thread groups did per dispatch (CPU in µs, switches); empty off Linux
     */
    record Side(double perSecond, Percentiles latency, Map<String, Double> commandsPerDispatch,
            double redisCpuMicros, double clientCpuMicros, Map<String, ThreadActivity.Group> threads) {

        /** All thread groups together, per dispatch. */
        ThreadActivity.Group allThreads() {
            return ThreadActivity.sum(threads.values());
        }

        double totalCommandsPerDispatch() {
            return commandsPerDispatch.values().stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    /** Both sides at {@code dispatchers}, and the load average around the measurement. */
    record Level(int dispatchers, Side pulse, Side raw, double loadBefore, double loadAfter) {
    }

    private final String redisUrl;
    private final int[] levels;
    private final int keys;
    private final int rounds;

    /**
     * @param levels numbers of concurrent dispatchers, measured in this order
     * @param keys keys per window (each dispatched once per window)
     * @param rounds windows per side and level
     */
    PoolDispatchBenchmark(String redisUrl, int[] levels, int keys, int rounds) {
        this.redisUrl = redisUrl;
        this.levels = levels.clone();
        this.keys = keys;
        this.rounds = rounds;
    }

    /** Runs every level and returns their figures. */
    List<Level> run() throws Exception {
        String[] jobKeys = new String[keys];
        for (int i = 0; i < keys; i++) {
            jobKeys[i] = String.format(Locale.ROOT, "job-%05d", i);
        }
        RedisClient probeClient = RedisClient.create(redisUrl);
        List<Level> out = new ArrayList<>();
        try (StatefulRedisConnection<String, String> probe = probeClient.connect();
                PulseDispatchPool pulse = new PulseDispatchPool(redisUrl, WORKERS, jobKeys);
                RawDispatchFloor raw = new RawDispatchFloor(redisUrl, WORKERS, jobKeys)) {
            List<DispatchSide> sides = List.of(pulse, raw);
            try (ConcurrentWindow warmup = new ConcurrentWindow("dispatch", 32)) {
                // the JIT keeps compiling the dispatch path for several windows
                for (int w = 0; w < WARMUP_WINDOWS; w++) {
                    for (DispatchSide side : sides) {
                        progress("warm-up " + (w + 1) + "/" + WARMUP_WINDOWS + ", 32 dispatchers, " + side.name());
                        warmup.run(keys, side::dispatch);
                        side.reset();
                    }
                }
            }
            for (int dispatchers : levels) {
                double loadBefore = RmapBenchmarks.loadAverage();
                Accumulator[] acc = {new Accumulator(), new Accumulator()};
                try (ConcurrentWindow window = new ConcurrentWindow("dispatch", dispatchers)) {
                    for (int r = 0; r < rounds; r++) {
                        for (int i = 0; i < sides.size(); i++) {
                            int s = (r + i) % sides.size();
                            measure(sides.get(s), window, probe.sync(), acc[s], String.format(Locale.ROOT,
                                    "%d dispatchers, round %d/%d", dispatchers, r + 1, rounds));
                        }
                    }
                }
                out.add(new Level(dispatchers, acc[0].side(), acc[1].side(), loadBefore, RmapBenchmarks.loadAverage()));
            }
            if (pulse.starts() < (long) keys * (WARMUP_WINDOWS + levels.length * rounds)) {
                throw new IllegalStateException("fewer starts than dispatches: " + pulse.starts());
            }
        } finally {
            probeClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        return out;
    }

    /**
     * One window of {@code side}, added to {@code acc}, then the side's reset. The Redis CPU is read
     * outside the commandstats snapshots, so those count no probe command but their own first one.
     */
    private void measure(DispatchSide side, ConcurrentWindow window, RedisCommands<String, String> probe,
            Accumulator acc, String label) throws Exception {
        double redisCpu = CpuTime.redisSeconds(probe);
        Map<String, Long> before = PoolMeasurements.commandCalls(probe);
        double clientCpu = CpuTime.processSeconds();
        ThreadActivity threadsBefore = ThreadActivity.snapshot();
        ConcurrentWindow.Result result = window.run(keys, side::dispatch);
        Map<String, ThreadActivity.Group> threads = ThreadActivity.snapshot().since(threadsBefore);
        clientCpu = CpuTime.processSeconds() - clientCpu;
        Map<String, Long> after = PoolMeasurements.commandCalls(probe);
        redisCpu = CpuTime.redisSeconds(probe) - redisCpu;
        acc.add(result, PoolMeasurements.delta(before, after), redisCpu, clientCpu, threads);
        progress(String.format(Locale.ROOT, "%s, %s: %,.0f/s, p50 %.2f ms, CPU per dispatch: Redis %.0f µs, this JVM "
                + "%.0f µs", label, side.name(), result.perSecond(),
                Percentiles.of(result.latencies(), 0, result.operations()).p50() / 1e6, redisCpu * 1e6 / keys,
                clientCpu * 1e6 / keys));
        side.reset();
    }

    /** One side's windows at one level, summed. */
    private static final class Accumulator {
        private final List<long[]> latencies = new ArrayList<>();
        private final Map<String, Long> commands = new LinkedHashMap<>();
        private long operations;
        private long nanos;
        private double redisCpu;
        private double clientCpu;

        private final Map<String, List<ThreadActivity.Group>> threads = new java.util.TreeMap<>();

        void add(ConcurrentWindow.Result result, Map<String, Long> calls, double redisSeconds, double clientSeconds,
                Map<String, ThreadActivity.Group> activity) {
            activity.forEach((g, a) -> threads.computeIfAbsent(g, k -> new ArrayList<>()).add(a));
            redisCpu += redisSeconds;
            clientCpu += clientSeconds;
            latencies.add(result.latencies());
            operations += result.operations();
            nanos += result.nanos();
            calls.forEach((k, v) -> commands.merge(k, v, Long::sum));
        }

        Side side() {
            long[] all = latencies.stream().flatMapToLong(java.util.Arrays::stream).toArray();
            Map<String, Double> perDispatch = new LinkedHashMap<>();
            commands.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> perDispatch.put(e.getKey(), e.getValue() / (double) operations));
            Map<String, ThreadActivity.Group> perThreadGroup = new LinkedHashMap<>();
            threads.forEach((g, windows) -> {
                ThreadActivity.Group sum = ThreadActivity.sum(windows);
                perThreadGroup.put(g, new ThreadActivity.Group(sum.threads(), sum.userMicros() / operations,
                        sum.systemMicros() / operations, sum.voluntarySwitches() / operations));
            });
            return new Side(operations * 1e9 / nanos, Percentiles.of(all, 0, all.length), perDispatch,
                    redisCpu * 1e6 / operations, clientCpu * 1e6 / operations, perThreadGroup);
        }
    }

    private static void progress(String what) {
        System.out.printf(Locale.ROOT, "#   dispatch: %s (load average %.2f)%n", what, RmapBenchmarks.loadAverage());
    }

    /** Thread groups as text, most context switches first, leaving out idle ones. */
    static String threadBreakdown(Map<String, ThreadActivity.Group> groups) {
        List<String> parts = new ArrayList<>();
        groups.entrySet().stream()
                .sorted((a, b) -> Double.compare(b.getValue().voluntarySwitches(), a.getValue().voluntarySwitches()))
                .forEach(e -> {
                    ThreadActivity.Group g = e.getValue();
                    if (g.voluntarySwitches() >= 0.01 || g.userMicros() + g.systemMicros() >= 1) {
                        parts.add(String.format(Locale.ROOT, "%s (%d): %.2f switches, %.0f+%.0f µs", e.getKey(),
                                g.threads(), g.voluntarySwitches(), g.userMicros(), g.systemMicros()));
                    }
                });
        return String.join("; ", parts);
    }
}
