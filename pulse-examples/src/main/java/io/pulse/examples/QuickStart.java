package io.pulse.examples;

import io.pulse.core.PulseRedis;
import io.pulse.core.Subscription;
import io.pulse.rmap.MapEvent;
import io.pulse.rmap.ReplicatedMap;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The quick-start demo: two services share feature flags and a request counter through a replicated
 * map. Each service is its own {@link PulseRedis}, as two processes would be.
 */
public final class QuickStart {

    private static final String MAP = "pulse-demo:feature-flags";

    private QuickStart() {
    }

    public static void main(String[] args) {
        int exit = run(System.out);
        System.exit(exit);
    }

    /** Runs the demo, printing to {@code out}; returns the process exit code. */
    public static int run(PrintStream out) {
        long start = System.nanoTime();
        try (DemoRedis demoRedis = DemoRedis.obtain(out);
                PulseRedis checkout = PulseRedis.connect(demoRedis.uri());
                PulseRedis billing = PulseRedis.connect(demoRedis.uri())) {

            ReplicatedMap checkoutFlags = ReplicatedMap.join(MAP, checkout);
            checkoutFlags.reset();
            ReplicatedMap billingFlags = ReplicatedMap.join(MAP, billing);
            out.println("checkout and billing joined the replicated map '" + MAP + "'");

            AtomicInteger seen = new AtomicInteger();
            Subscription watch = billingFlags.subscribe(e -> {
                seen.incrementAndGet();
                if (e.kind() == MapEvent.Kind.CHANGE || e.kind() == MapEvent.Kind.DELETE) {
                    out.printf("  billing saw %-6s %-22s rev %d%n", e.kind(), e.key(), e.revision());
                }
            });

            checkoutFlags.setAndWait("feature.new-checkout", "true");
            out.println("checkout set feature.new-checkout=true");
            awaitValue(billingFlags, "feature.new-checkout", "true");
            out.println("billing reads it locally, no Redis round trip: feature.new-checkout="
                    + billingFlags.get("feature.new-checkout").orElse("?"));

            for (int i = 0; i < 5; i++) {
                checkoutFlags.inc("requests.total", 1);
                billingFlags.inc("requests.total", 1);
            }
            long total = checkoutFlags.inc("requests.total", 0);
            out.println("both services counted requests: requests.total=" + total);

            List<String> regions = checkoutFlags.appendValues("allowed.regions", "us-east-1", "eu-west-1");
            out.println("allowed.regions=" + regions);
            String previous = billingFlags.testAndSet("config.version", "v1", "v2");
            out.println("testAndSet(config.version, v1 -> v2) found " + previous + ", so nothing changed");
            billingFlags.set("config.version", "v1");
            previous = billingFlags.testAndSet("config.version", "v1", "v2");
            out.println("testAndSet(config.version, v1 -> v2) found " + previous + ", so it is now v2");
            checkoutFlags.delete("feature.new-checkout");

            awaitRevision(billingFlags, checkoutFlags.revision());
            awaitRevision(checkoutFlags, billingFlags.revision());
            Map<String, String> a = new TreeMap<>(checkoutFlags.snapshot());
            Map<String, String> b = new TreeMap<>(billingFlags.snapshot());
            watch.close();
            out.println();
            out.println("Summary");
            out.println("  checkout replica: " + a);
            out.println("  billing replica:  " + b);
            out.println("  replicas agree:   " + a.equals(b));
            out.println("  events billing saw: " + seen.get());
            out.printf("  done in %.1f s%n", (System.nanoTime() - start) / 1e9);
            checkoutFlags.destroy();
            return a.equals(b) && total == 10 ? 0 : 1;
        }
    }

    private static void awaitValue(ReplicatedMap map, String key, String value) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!map.get(key).map(value::equals).orElse(false)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(key + " did not reach " + map.name());
            }
            Thread.onSpinWait();
        }
    }

    private static void awaitRevision(ReplicatedMap map, long revision) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (map.revision() < revision) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(map.name() + " did not reach revision " + revision);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
