package io.pulse.examples;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulse.core.PulseRedis;
import io.pulse.micrometer.PulseMetrics;
import io.pulse.pool.Job;
import io.pulse.pool.JobHandler;
import io.pulse.pool.Node;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pulse's Micrometer meters while a small flow runs: orders are added to a stream faster than a sink
 * handles them, and jobs are dispatched to a pool; every second the example prints the sink's lag (not
 * read yet) and pending events (read, not acknowledged: its subscription reads ahead of its slow
 * handler), its acknowledgements, the add latency and the pool's jobs and dispatch latency, as a
 * dashboard would show them, until the sink has caught up.
 */
public final class LiveMeters {

    private LiveMeters() {
    }

    public static void main(String[] args) {
        Examples.main(LiveMeters::run);
    }

    /** Runs the example against {@code redisUri}, printing to {@code out}; returns the exit code. */
    public static int run(PrintStream out, String redisUri) {
        String orders = Examples.unique("orders");
        String pool = Examples.unique("email");
        String sinkName = Examples.unique("billing");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicInteger handled = new AtomicInteger();
        boolean caughtUp;
        double jobs;
        double acks;
        try (PulseRedis redis = PulseRedis.connect(redisUri);
                PulseMetrics metrics = PulseMetrics.builder(redis).refresh(Duration.ofMillis(500)).build()) {
            // bound first: gauges appear for the sinks and pools opened from now on
            metrics.bindTo(registry);
            Stream stream = Stream.builder(orders, redis).maxLen(10_000).open();
            Sink billing = stream.sink(sinkName).blockDuration(Duration.ofMillis(200)).open();
            billing.subscribe(event -> {
                Examples.sleep(Duration.ofMillis(5)); // a slow handler: the lag builds up, then drains
                billing.ack(event);
                handled.incrementAndGet();
            });
            Node node = Node.builder(pool, redis).workerTtl(Duration.ofSeconds(5))
                    .jobSinkBlockDuration(Duration.ofMillis(200)).join();
            node.addWorker(new JobHandler() {
                @Override
                public void start(Job job) {
                }

                @Override
                public void stop(String key) {
                }
            });

            for (int i = 0; i < 300; i++) {
                stream.addAsync("order.placed", Examples.utf8("{\"order\":" + i + "}"));
            }
            for (int i = 0; i < 5; i++) {
                node.dispatchJob("welcome-" + i, Examples.utf8("{}"));
            }
            out.println("added 300 orders (the sink handles one per 5 ms) and dispatched 5 jobs");

            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            do {
                Examples.sleep(Duration.ofSeconds(1));
                // one reading per line: each gauge read may start a refresh in the background
                double lag = gauge(registry, "pulse.sink.lag", "stream", orders);
                double pending = gauge(registry, "pulse.sink.pending", "stream", orders);
                print(out, registry, lag, pending, orders, pool);
                caughtUp = handled.get() == 300 && lag == 0 && pending == 0;
            } while (!caughtUp && System.nanoTime() < deadline);
            Examples.await(Duration.ofSeconds(10), () -> gauge(registry, "pulse.pool.jobs", "pool", pool) == 5);
            jobs = gauge(registry, "pulse.pool.jobs", "pool", pool);
            acks = registry.get("pulse.sink.acks").tag("stream", orders).counter().count();

            billing.close();
            node.shutdown();
            node.close();
            stream.destroy();
            out.println("meters of the sink after it closed: "
                    + registry.find("pulse.sink.lag").tag("stream", orders).gauges().size());
            Examples.deleteKeysContaining(redis, orders);
            Examples.deleteKeysContaining(redis, pool);
            Examples.deleteKeysContaining(redis, sinkName);
        }
        boolean ok = caughtUp && acks == 300 && jobs == 5;
        out.println("sink caught up: " + caughtUp + ", acknowledged " + (long) acks + ", jobs running " + (long) jobs);
        out.println(ok ? "live meters: all checks passed" : "live meters: FAILED");
        return ok ? 0 : 1;
    }

    private static void print(PrintStream out, SimpleMeterRegistry registry, double lag, double pending, String orders,
            String pool) {
        var add = registry.find("pulse.stream.add").tag("stream", orders).timer();
        var dispatch = registry.find("pulse.pool.dispatch").tag("pool", pool).timer();
        out.printf("  sink lag %4.0f  pending %3.0f  acks %4.0f | adds %3d (mean %.2f ms) | pool jobs %.0f,"
                        + " dispatches %d (mean %.1f ms)%n",
                lag, pending, registry.get("pulse.sink.acks").tag("stream", orders).counter().count(),
                add == null ? 0 : add.count(), add == null ? 0 : add.mean(TimeUnit.MILLISECONDS),
                gauge(registry, "pulse.pool.jobs", "pool", pool),
                dispatch == null ? 0 : dispatch.count(), dispatch == null ? 0 : dispatch.mean(TimeUnit.MILLISECONDS));
    }

    private static double gauge(SimpleMeterRegistry registry, String name, String tag, String value) {
        Gauge gauge = registry.find(name).tag(tag, value).gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }
}
