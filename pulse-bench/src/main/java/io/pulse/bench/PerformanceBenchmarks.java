package io.pulse.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The measurements behind the work on pool dispatch, push acknowledgements and a node's footprint;
 * each runs only when named:
 * <ul>
 *   <li>{@code dispatch}: pool dispatch throughput and p50/p99 at 1, 8, 32 and 128 concurrent
 *       dispatchers beside the floor of the same Redis commands issued back to back, and Redis commands
 *       per dispatch ({@link PoolDispatchBenchmark}); goal at 32 dispatchers: at least 1,300 jobs/s and a
 *       p50 of at most 25 ms (Go Pulse v1.6.5 on this kind of machine: 1,221 jobs/s, p50 26 ms);</li>
 *   <li>{@code push-ack}: a sink's push {@code subscribe} acknowledging each event with
 *       {@code ackAsync(event)} (and with {@code ack(event)}, and others) beside pull {@code read()} + {@code ack(batch)} ({@link SinkPushAckBenchmark});
 *       goal: at least 0.7x;</li>
 *   <li>{@code footprint}: an idle full node with 4 and with 100 workers and a 1,000-key map, in a JVM
 *       of its own: threads by name, heap after GC, RSS, Redis connections, idle Redis commands/s
 *       ({@link NodeFootprint}).</li>
 * </ul>
 */
final class PerformanceBenchmarks {

    static final int[] DISPATCHERS = {1, 8, 32, 128};
    static final int DISPATCH_KEYS = 2_000;
    static final int DISPATCH_ROUNDS = 3;

    private PerformanceBenchmarks() {
    }

    /** The {@code dispatch} rows. */
    static List<Row> dispatch(String redisUrl) throws Exception {
        return dispatchRows(new PoolDispatchBenchmark(redisUrl, DISPATCHERS, DISPATCH_KEYS, DISPATCH_ROUNDS).run());
    }

    static List<Row> dispatchRows(List<PoolDispatchBenchmark.Level> levels) {
        List<Row> rows = new ArrayList<>();
        for (PoolDispatchBenchmark.Level l : levels) {
            String what = String.format(Locale.ROOT, "pool dispatch, 1 full node x %d workers, 1 client-only node, "
                    + "%d dispatchers (load average %.2f to %.2f) vs the same Redis commands back to back: ",
                    PoolDispatchBenchmark.WORKERS, l.dispatchers(), l.loadBefore(), l.loadAfter());
            double jobs = l.pulse().perSecond();
            double p50 = l.pulse().latency().p50() / 1e6;
            if (l.dispatchers() == 32) {
                rows.add(absolute(what + "jobs/s", jobs, l.raw().perSecond(), "%,.0f", "Pulse >= 1,300 (Go 1,221)",
                        jobs >= 1_300));
                rows.add(absolute(what + "p50 (ms)", p50, l.raw().latency().p50() / 1e6, "%.2f",
                        "Pulse <= 25 (Go 26)", p50 <= 25));
            } else {
                rows.add(Row.info(what + "jobs/s", jobs, l.raw().perSecond(), "%,.0f"));
                rows.add(Row.info(what + "p50 (ms)", p50, l.raw().latency().p50() / 1e6, "%.2f"));
            }
            rows.add(Row.info(what + "p99 (ms)", l.pulse().latency().p99() / 1e6, l.raw().latency().p99() / 1e6,
                    "%.2f"));
            rows.add(Row.info(what + "Redis commands per dispatch (INFO commandstats)",
                    l.pulse().totalCommandsPerDispatch(), l.raw().totalCommandsPerDispatch(), "%.2f"));
            rows.add(Row.info(what + "Redis CPU per dispatch (µs)", l.pulse().redisCpuMicros(),
                    l.raw().redisCpuMicros(), "%.0f"));
            rows.add(Row.info(what + "client CPU per dispatch (µs; Pulse: both nodes)", l.pulse().clientCpuMicros(),
                    l.raw().clientCpuMicros(), "%.0f"));
            ThreadActivity.Group pulseThreads = l.pulse().allThreads();
            ThreadActivity.Group rawThreads = l.raw().allThreads();
            if (rawThreads.voluntarySwitches() > 0) {
                rows.add(Row.info(what + "voluntary context switches per dispatch (all threads)",
                        pulseThreads.voluntarySwitches(), rawThreads.voluntarySwitches(), "%.2f"));
                rows.add(Row.info(what + "client CPU in the kernel per dispatch (µs)", pulseThreads.systemMicros(),
                        rawThreads.systemMicros(), "%.0f"));
            }
        }
        levels.stream().filter(l -> l.dispatchers() == 32).findFirst().or(() -> levels.stream().findFirst())
                .ifPresent(l -> rows.add(Row.text(String.format(Locale.ROOT, "pool dispatch, %d dispatchers: Redis "
                                + "commands per dispatch, by command", l.dispatchers()),
                        commandFigures(l.pulse().commandsPerDispatch()),
                        commandFigures(l.raw().commandsPerDispatch()))));
        for (PoolDispatchBenchmark.Level l : levels) {
            if (!l.pulse().threads().isEmpty() && (l.dispatchers() == 1 || l.dispatchers() == 32)) {
                rows.add(Row.text(String.format(Locale.ROOT, "pool dispatch, %d dispatchers: per dispatch, by "
                                + "thread group (threads): voluntary context switches, user+kernel CPU",
                                l.dispatchers()), PoolDispatchBenchmark.threadBreakdown(l.pulse().threads()),
                        PoolDispatchBenchmark.threadBreakdown(l.raw().threads())));
            }
        }
        return rows;
    }

    /** The {@code push-ack} rows. */
    static List<Row> pushAck(String redisUrl) throws Exception {
        return pushAckRows(new SinkPushAckBenchmark(redisUrl, 10_000, 5, 10_000).run());
    }

    static List<Row> pushAckRows(SinkPushAckBenchmark.Result r) {
        String what = String.format(Locale.ROOT, "sink drain of %,d events per side in turns of %,d: ", r.events(),
                r.turnEvents());
        List<Row> rows = new ArrayList<>();
        rows.add(Row.higherIsBetter(what + "push `subscribe` + `ackAsync(event)` (coalesced by the sink) vs pull "
                + "`read()` + `ack(batch)` (events/s)", r.pushAckCoalesced().eventsPerSecond(),
                r.pullBatchAck().eventsPerSecond(), "%,.0f", 0.7));
        rows.add(Row.info(what + "push `subscribe` + blocking `ack(event)` vs pull `read()` + `ack(batch)` (events/s)",
                r.pushAck().eventsPerSecond(), r.pullBatchAck().eventsPerSecond(), "%,.0f"));
        rows.add(Row.info(what + "push `subscribe` + `ack(event)` vs raw `XREADGROUP COUNT 1000` + one sync `XACK` per "
                + "event (events/s)", r.pushAck().eventsPerSecond(), r.rawPerEventAck().eventsPerSecond(), "%,.0f"));
        rows.add(Row.info(what + "push `subscribe` + `ackAsync(List.of(event))` not awaited vs pull + `ack(batch)` "
                + "(events/s)", r.pushAckAsync().eventsPerSecond(), r.pullBatchAck().eventsPerSecond(), "%,.0f"));
        rows.add(Row.text(what + "`XACK` commands per event: push + `ack(event)`, push + `ackAsync(List.of(event))`, "
                        + "push + `ackAsync(event)` / pull + `ack(batch)`, raw per event", String.format(Locale.ROOT, "%.3f, %.3f, %.3f",
                        r.pushAck().xacksPerEvent(), r.pushAckAsync().xacksPerEvent(),
                        r.pushAckCoalesced().xacksPerEvent()),
                String.format(Locale.ROOT, "%.3f, %.3f", r.pullBatchAck().xacksPerEvent(),
                        r.rawPerEventAck().xacksPerEvent())));
        rows.add(Row.text(what + "voluntary context switches per event (this JVM): push + `ack(event)`, push + "
                        + "`ackAsync(List.of(event))`, push + `ackAsync(event)` / pull + `ack(batch)`, raw per event",
                String.format(Locale.ROOT, "%.2f, %.2f, %.2f", r.pushAck().switchesPerEvent(),
                        r.pushAckAsync().switchesPerEvent(), r.pushAckCoalesced().switchesPerEvent()),
                String.format(Locale.ROOT, "%.3f, %.2f", r.pullBatchAck().switchesPerEvent(),
                        r.rawPerEventAck().switchesPerEvent())));
        return rows;
    }

    /** The {@code footprint} rows: an idle node with 4 and with 100 workers. */
    static List<Row> footprint(String redisUrl) throws Exception {
        NodeFootprint footprint = new NodeFootprint(redisUrl);
        List<NodeFootprint.Result> results = new ArrayList<>();
        for (int workers : new int[] {4, 100}) {
            System.out.printf(Locale.ROOT, "#   footprint: idle full node with %d workers (load average %.2f)%n", workers,
                    RmapBenchmarks.loadAverage());
            results.add(footprint.measure(workers));
        }
        return footprintRows(results);
    }

    static List<Row> footprintRows(List<NodeFootprint.Result> results) {
        List<Row> rows = new ArrayList<>();
        for (NodeFootprint.Result r : results) {
            String what = String.format(Locale.ROOT, "idle full node, %d workers, one 1,000-key map (a JVM of its own, "
                    + "default options; baseline: the same JVM before it loaded Pulse): ", r.workers());
            int own = r.pulseThreads().values().stream().mapToInt(Integer::intValue).sum();
            rows.add(new Row(what + "Pulse's own threads (`pulse-*` and its Lettuce client's `lettuce-*`)",
                    Integer.toString(own), "0", "", "<= 4 (Go: 5 OS threads in all)", own <= 4 ? "yes" : "**no**"));
            rows.add(Row.text(what + "those threads by name", NodeFootprint.counts(r.pulseThreads()), "—"));
            rows.add(Row.info(what + "OS threads of the process", r.node().osThreads(), r.jvm().osThreads(), "%.0f"));
            rows.add(Row.info(what + "heap used after a full GC (MB)", r.node().heapUsed() / 1e6,
                    r.jvm().heapUsed() / 1e6, "%.1f"));
            rows.add(Row.info(what + "resident set size (MB; Go: 19)", r.node().rssKb() / 1e3, r.jvm().rssKb() / 1e3,
                    "%.1f"));
            rows.add(Row.text(what + "Redis connections (CLIENT LIST; Go: 20)", r.connectionCount() + ": "
                    + NodeFootprint.counts(r.connections()), "—"));
            double total = r.commandsPerSecond().values().stream().mapToDouble(Double::doubleValue).sum();
            rows.add(Row.text(String.format(Locale.ROOT, "%sidle Redis commands/s over %.0f s (scripts' inner commands "
                    + "counted)", what, r.windowSeconds()), String.format(Locale.ROOT, "%.1f: %s", total,
                    commandFigures(r.commandsPerSecond())), "—"));
        }
        return rows;
    }

    /** Figures per command as text, largest first as given, leaving out those under 0.01. */
    static String commandFigures(Map<String, Double> perCommand) {
        List<String> parts = new ArrayList<>();
        perCommand.forEach((command, n) -> {
            if (n >= 0.01) {
                parts.add(String.format(Locale.ROOT, "%s %.2f", commandName(command), n));
            }
        });
        return String.join(", ", parts);
    }

    /** A command as {@code INFO commandstats} names it, without the bar a table cell cannot hold. */
    static String commandName(String command) {
        return command.replace('|', ' ');
    }

    /** A row whose goal is an absolute figure of the Pulse side; the ratio is still shown. */
    private static Row absolute(String name, double pulse, double baseline, String format, String goal, boolean met) {
        return new Row(name, Row.fmt(format, pulse), Row.fmt(format, baseline), Row.fmt("%.2f", pulse / baseline),
                goal, met ? "yes" : "**no**");
    }
}
