package io.pulse.examples;

import io.pulse.core.PulseRedis;
import io.pulse.streaming.Event;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A sink consumes a stream with acknowledgements: an event is delivered until it is acknowledged, so
 * one whose handling failed comes back after the ack grace period (at-least-once delivery). The sink's
 * position lives in Redis (a consumer group named after the sink), not in the process.
 */
public final class SingleSink {

    private SingleSink() {
    }

    public static void main(String[] args) {
        Examples.main(SingleSink::run);
    }

    /** Runs the example against {@code redisUri}, printing to {@code out}; returns the exit code. */
    public static int run(PrintStream out, String redisUri) {
        String name = Examples.unique("payments");
        String sinkName = Examples.unique("invoicing");
        List<String> handled = new ArrayList<>();
        int deliveries = 0;
        boolean drained;
        try (PulseRedis redis = PulseRedis.connect(redisUri)) {
            Stream payments = Stream.open(name, redis);
            // the sink's group is created now, after the newest event: it gets what is added from now on.
            // A short grace period so that the redelivery below comes within a second.
            Sink invoicing = payments.sink(sinkName).ackGracePeriod(Duration.ofSeconds(1))
                    .blockDuration(Duration.ofMillis(500)).open();
            out.println("sink '" + sinkName + "' opened on stream '" + name + "'");

            for (String payment : List.of("payment-1", "payment-2", "payment-3")) {
                payments.add("payment.received", Examples.utf8(payment));
            }
            out.println("added 3 payment.received events");

            boolean failedOnce = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (handled.size() < 3 && System.nanoTime() < deadline) {
                for (Event event : invoicing.read()) {
                    deliveries++;
                    String payment = Examples.text(event.payload());
                    if (payment.equals("payment-2") && !failedOnce) {
                        // handling failed (say the invoice service was down): no ack, so it comes back
                        failedOnce = true;
                        out.println("  " + payment + ": handling failed, not acknowledged");
                        continue;
                    }
                    handled.add(payment);
                    invoicing.ack(event);
                    out.println("  " + payment + ": invoiced and acknowledged" + (payment.equals("payment-2")
                            ? " (redelivered after the 1 s grace period)" : ""));
                }
            }

            // every event is acknowledged: the next read waits its block duration and returns nothing
            drained = invoicing.read().isEmpty();
            out.println("nothing left to deliver: " + drained);

            invoicing.close();
            payments.destroy();
            Examples.deleteKeysContaining(redis, name);
            Examples.deleteKeysContaining(redis, sinkName);
        }
        boolean ok = handled.equals(List.of("payment-1", "payment-3", "payment-2")) && deliveries == 4 && drained;
        out.println(deliveries + " deliveries for 3 events, each invoiced once: " + ok);
        out.println(ok ? "single sink: all checks passed" : "single sink: FAILED");
        return ok ? 0 : 1;
    }
}
