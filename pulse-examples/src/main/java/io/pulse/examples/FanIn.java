package io.pulse.examples;

import io.pulse.core.PulseRedis;
import io.pulse.streaming.Event;
import io.pulse.streaming.Reader;
import io.pulse.streaming.Stream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fan-in: one reader follows several streams at once ({@link Reader#addStream}), so an aggregator gets
 * the events of orders, payments and shipments in one loop, each event telling which stream it came
 * from. Sinks fan in the same way with {@code Sink.addStream}.
 */
public final class FanIn {

    private FanIn() {
    }

    public static void main(String[] args) {
        Examples.main(FanIn::run);
    }

    /** Runs the example against {@code redisUri}, printing to {@code out}; returns the exit code. */
    public static int run(PrintStream out, String redisUri) {
        String tag = Examples.unique("shop");
        Map<String, Integer> perStream = new TreeMap<>();
        List<String> received = new ArrayList<>();
        try (PulseRedis redis = PulseRedis.connect(redisUri)) {
            Stream orders = Stream.open(tag + ".orders", redis);
            Stream payments = Stream.open(tag + ".payments", redis);
            Stream shipments = Stream.open(tag + ".shipments", redis);

            // one reader, three streams; each stream is read from the reader's start position
            try (Reader aggregator = orders.reader().startAtOldest().blockDuration(Duration.ofMillis(300)).open()) {
                aggregator.addStream(payments);
                aggregator.addStream(shipments);
                out.println("the aggregator reads " + aggregator.streamNames());

                // three services each write to their own stream
                orders.add("order.placed", Examples.utf8("order-7"));
                payments.add("payment.captured", Examples.utf8("order-7"));
                orders.add("order.placed", Examples.utf8("order-8"));
                shipments.add("parcel.shipped", Examples.utf8("order-7"));
                payments.add("payment.captured", Examples.utf8("order-8"));

                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (received.size() < 5 && System.nanoTime() < deadline) {
                    for (Event e : aggregator.read()) {
                        // streamName() says where an event comes from
                        String stream = e.streamName().substring(tag.length() + 1);
                        perStream.merge(stream, 1, Integer::sum);
                        received.add(e.eventName() + " " + Examples.text(e.payload()));
                        out.printf("  from %-9s %-16s %s%n", stream, e.eventName(), Examples.text(e.payload()));
                    }
                }
            }
            for (Stream s : List.of(orders, payments, shipments)) {
                s.destroy();
            }
            Examples.deleteKeysContaining(redis, tag);
        }
        out.println("events per stream: " + perStream);
        boolean ok = received.size() == 5 && perStream.equals(Map.of("orders", 2, "payments", 2, "shipments", 1));
        out.println(ok ? "fan-in: all checks passed" : "fan-in: FAILED");
        return ok ? 0 : 1;
    }
}
