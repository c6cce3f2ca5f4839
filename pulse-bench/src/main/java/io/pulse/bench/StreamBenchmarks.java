package io.pulse.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The stream benchmarks (argument {@code streams}, part of the default run; under two minutes), each
 * Pulse figure beside raw Lettuce doing the same Redis work on a connection of its own in the same run:
 * <ol>
 *   <li>{@code Stream.addAsync} throughput with 256 in flight vs {@code XADD ... MAXLEN ~ 10000}
 *       ({@link StreamAddBenchmark}); goal: at least 0.85x;</li>
 *   <li>blocking {@code Stream.add} latency p50/p99 vs sync {@code XADD} (no goal);</li>
 *   <li>a sink draining 200,000 pre-filled events with {@code read()} + {@code ack(batch)} vs
 *       {@code XREADGROUP COUNT 1000} + {@code XACK} ({@link SinkDrainBenchmark}); goal: at least
 *       0.7x;</li>
 *   <li>end-to-end latency {@code addAsync} -> {@code Reader.read()} at 5,000 events/s vs {@code XADD}
 *       -> {@code XREAD BLOCK} ({@link StreamLatencyBenchmark}); goal: p50, p99 and p99.9 each within
 *       1.5x;</li>
 *   <li>{@code addAsync} throughput and sync {@code add} p99 behind a stuck unacknowledged event and a
 *       20,000-event backlog vs the same adds on a stream with no sink, then a live sink's duplicates
 *       ({@link TrimBacklogBenchmark}); goal: within 1.5x, and no event delivered twice.</li>
 * </ol>
 */
final class StreamBenchmarks {

    private StreamBenchmarks() {
    }

    /** Runs the five stream benchmarks against {@code redisUrl} and returns their rows. */
    static List<Row> run(String redisUrl) throws Exception {
        List<Row> rows = new ArrayList<>();
        StreamAddBenchmark add = new StreamAddBenchmark(redisUrl);

        long started = System.nanoTime();
        step("addAsync throughput, 256 in flight", started);
        StreamAddBenchmark.Throughput t = add.throughput(256, Duration.ofSeconds(2), Duration.ofSeconds(2), 5);
        rows.add(Row.higherIsBetter("streams: `addAsync` (maxLen 10,000) vs `XADD MAXLEN ~ 10000`, " + t.inFlight()
                + " in flight (ops/s)", t.pulseOpsPerSecond(), t.rawOpsPerSecond(), "%,.0f", 0.85));

        step("sync add latency", started);
        StreamAddBenchmark.Latency l = add.latency(3_000, 1_500, 16);
        rows.add(Row.info("streams: sync `add` vs sync `XADD MAXLEN ~ 10000`, latency p50 (µs)",
                micros(l.pulse().p50()), micros(l.raw().p50()), "%.1f"));
        rows.add(Row.info("streams: sync `add` vs sync `XADD MAXLEN ~ 10000`, latency p99 (µs)",
                micros(l.pulse().p99()), micros(l.raw().p99()), "%.1f"));

        step("sink drain of 200,000 events with acks", started);
        SinkDrainBenchmark.Result d = new SinkDrainBenchmark(redisUrl, 200_000, 20_000, 1000, 20).run();
        rows.add(Row.higherIsBetter(String.format(Locale.ROOT, "streams: sink drain of %,d events, `read()` "
                + "(maxPolled %,d) + `ack(batch)` vs `XREADGROUP COUNT %,d` + `XACK` (events/s)",
                d.events(), d.batch(), d.batch()), d.pulseEventsPerSecond(), d.rawEventsPerSecond(), "%,.0f", 0.7));

        step("end-to-end latency at 5,000 events/s", started);
        StreamLatencyBenchmark.Result e = new StreamLatencyBenchmark(redisUrl, 5_000, Duration.ofSeconds(2),
                Duration.ofSeconds(1), 10).run();
        String at = String.format(Locale.ROOT, " at %,d events/s (µs)", e.eventsPerSecond());
        String what = "streams: end-to-end `addAsync` -> `Reader.read()` vs `XADD` -> `XREAD BLOCK`, ";
        rows.add(Row.lowerIsBetter(what + "p50" + at, micros(e.pulse().p50()), micros(e.raw().p50()), "%.1f", 1.5));
        rows.add(Row.lowerIsBetter(what + "p99" + at, micros(e.pulse().p99()), micros(e.raw().p99()), "%.1f", 1.5));
        rows.add(Row.lowerIsBetter(what + "p99.9" + at, micros(e.pulse().p999()), micros(e.raw().p999()), "%.1f",
                1.5));
        rows.add(Row.info(what + "max" + at, micros(e.pulse().max()), micros(e.raw().max()), "%.1f"));
        rows.add(Row.text("streams: end-to-end events read / missed", e.pulse().samples() + " / " + e.missed()[0],
                e.raw().samples() + " / " + e.missed()[1]));
        step("adds behind a stuck event and a 20,000-event backlog", started);
        TrimBacklogBenchmark.Result b = new TrimBacklogBenchmark(redisUrl).run(Duration.ofSeconds(2),
                Duration.ofSeconds(2), 5, 1_500, 8, 50_000);
        String behind = "streams: behind a stuck unacknowledged event and a 20,000-event backlog vs the same adds "
                + "with no sink: ";
        rows.add(Row.higherIsBetter(behind + "`addAsync`, 256 in flight (ops/s)", b.stuckOpsPerSecond(),
                b.freeOpsPerSecond(), "%,.0f", 1 / 1.5));
        rows.add(Row.lowerIsBetter(behind + "sync `add` p99 (µs)", micros(b.stuckLatency().p99()),
                micros(b.freeLatency().p99()), "%.1f", 1.5));
        rows.add(Row.info(behind + "sync `add` p50 (µs)", micros(b.stuckLatency().p50()),
                micros(b.freeLatency().p50()), "%.1f"));
        rows.add(Row.text("streams: behind the stuck event, a live sink (2 s grace) at 5,000 events/s: deliveries / "
                + "duplicates; stuck event kept; final stream length", String.format(Locale.ROOT, "%,d / %d; %s; %,d", b.delivered(), b.duplicates(),
                b.stuckKept() ? "yes" : "**no**", b.finalLength()), "—"));
        step("done", started);
        return rows;
    }

    private static void step(String what, long started) {
        System.out.printf(Locale.ROOT, "#   streams: %s (at %.0f s, load average %.2f)%n", what,
                (System.nanoTime() - started) / 1e9, RmapBenchmarks.loadAverage());
    }

    private static double micros(long nanos) {
        return nanos / 1_000.0;
    }
}
