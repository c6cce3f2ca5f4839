package io.pulse.examples;

import io.pulse.core.PulseRedis;
import io.pulse.streaming.Reader;
import io.pulse.streaming.Stream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fan-out: several services read one stream, and each of them gets every event. Each reader is an
 * independent cursor, so a slow one holds up only itself. Here each service is its own
 * {@link PulseRedis}, as separate processes would be, and takes events push-style with
 * {@link Reader#subscribe}.
 */
public final class FanOut {

    private FanOut() {
    }

    public static void main(String[] args) {
        Examples.main(FanOut::run);
    }

    /** Runs the example against {@code redisUri}, printing to {@code out}; returns the exit code. */
    public static int run(PrintStream out, String redisUri) {
        String name = Examples.unique("orders");
        List<String> orders = List.of("order-1", "order-2", "order-3", "order-4", "order-5");
        Map<String, List<String>> received = new LinkedHashMap<>();
        List<PulseRedis> services = new ArrayList<>();
        try (PulseRedis shop = PulseRedis.connect(redisUri)) {
            Stream stream = Stream.open(name, shop);
            for (String service : List.of("analytics", "search-index", "notifier")) {
                PulseRedis redis = PulseRedis.connect(redisUri);
                services.add(redis);
                List<String> mine = new ArrayList<>();
                received.put(service, mine);
                // readers start at the newest event by default: each sees what is added from now on
                Reader reader = Stream.open(name, redis).reader().blockDuration(Duration.ofMillis(500)).open();
                reader.subscribe(event -> {
                    synchronized (mine) {
                        mine.add(Examples.text(event.payload()));
                    }
                    out.printf("  %-12s got %s %s%n", service, event.eventName(), Examples.text(event.payload()));
                });
                out.println(service + " subscribed to '" + name + "'");
                // closing the service's PulseRedis closes the reader and its subscription too
            }

            for (String order : orders) {
                stream.add("order.placed", Examples.utf8(order));
            }
            out.println("the shop added " + orders.size() + " order.placed events");

            Examples.await(Duration.ofSeconds(5),
                    () -> received.values().stream().allMatch(l -> size(l) == orders.size()));
            services.forEach(PulseRedis::close);
            stream.destroy();
            Examples.deleteKeysContaining(shop, name);
        } finally {
            services.forEach(PulseRedis::close);
        }
        boolean ok = true;
        for (Map.Entry<String, List<String>> e : received.entrySet()) {
            out.println(e.getKey() + " received " + e.getValue());
            ok &= e.getValue().equals(orders);
        }
        out.println("every service got every event, in order: " + ok);
        out.println(ok ? "fan-out: all checks passed" : "fan-out: FAILED");
        return ok ? 0 : 1;
    }

    private static int size(List<String> list) {
        synchronized (list) {
            return list.size();
        }
    }
}
