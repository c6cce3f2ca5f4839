package io.pulse.examples;

import io.pulse.core.PulseRedis;
import io.pulse.streaming.AddOptions;
import io.pulse.streaming.Event;
import io.pulse.streaming.Reader;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Topics: a producer tags each event with a topic ({@link AddOptions#topic}), and readers and sinks
 * keep only the topics they want, by exact name or by regular expression. The filtering happens in
 * the consumer, so one stream serves every region; a sink acknowledges the events it filters out, so
 * they are not redelivered.
 */
public final class TopicsAndPatterns {

    private TopicsAndPatterns() {
    }

    public static void main(String[] args) {
        Examples.main(TopicsAndPatterns::run);
    }

    /** Runs the example against {@code redisUri}, printing to {@code out}; returns the exit code. */
    public static int run(PrintStream out, String redisUri) {
        String name = Examples.unique("orders");
        String sinkName = Examples.unique("us-fulfilment");
        boolean ok = true;
        try (PulseRedis redis = PulseRedis.connect(redisUri)) {
            Stream orders = Stream.open(name, redis);
            add(out, orders, "order-1", "eu.fr");
            add(out, orders, "order-2", "eu.de");
            add(out, orders, "order-3", "us.ny");
            add(out, orders, "order-4", "eu.fr");
            add(out, orders, "order-5", "us.sf");
            add(out, orders, "order-6", null);

            try (Reader france = orders.reader().startAtOldest().topic("eu.fr").open();
                    Reader europe = orders.reader().startAtOldest().topicPattern("^eu\\.").open();
                    Reader everything = orders.reader().startAtOldest().open()) {
                ok &= check(out, "reader topic(\"eu.fr\")", payloads(france.read()), List.of("order-1", "order-4"));
                ok &= check(out, "reader topicPattern(\"^eu\\\\.\")", payloads(europe.read()),
                        List.of("order-1", "order-2", "order-4"));
                ok &= check(out, "reader without a filter", payloads(everything.read()),
                        List.of("order-1", "order-2", "order-3", "order-4", "order-5", "order-6"));
            }

            // a sink filters the same way; the events it does not want are acknowledged unread
            Sink us = orders.sink(sinkName).startAtOldest().topicPattern("^us\\.")
                    .blockDuration(Duration.ofMillis(300)).open();
            List<Event> usOrders = us.read();
            ok &= check(out, "sink topicPattern(\"^us\\\\.\")", payloads(usOrders), List.of("order-3", "order-5"));
            us.ack(usOrders);
            boolean drained = us.read().isEmpty();
            out.println("the sink has nothing pending afterwards: " + drained);
            ok &= drained;

            us.close();
            orders.destroy();
            Examples.deleteKeysContaining(redis, name);
            Examples.deleteKeysContaining(redis, sinkName);
        }
        out.println(ok ? "topics and patterns: all checks passed" : "topics and patterns: FAILED");
        return ok ? 0 : 1;
    }

    private static void add(PrintStream out, Stream stream, String order, String topic) {
        if (topic == null) {
            stream.add("order.placed", Examples.utf8(order));
        } else {
            stream.add("order.placed", Examples.utf8(order), AddOptions.topic(topic));
        }
        out.printf("added %s with topic %s%n", order, topic == null ? "(none)" : topic);
    }

    private static List<String> payloads(List<Event> events) {
        List<String> out = new ArrayList<>();
        events.forEach(e -> out.add(Examples.text(e.payload())));
        return out;
    }

    private static boolean check(PrintStream out, String consumer, List<String> got, List<String> expected) {
        out.printf("%-32s got %s%n", consumer, got);
        return got.equals(expected);
    }
}
