package io.pulse.examples;

import io.pulse.core.PulseRedis;
import io.pulse.core.Subscription;
import io.pulse.rmap.MapEvent;
import io.pulse.rmap.ReplicatedMap;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Feature flags shared by services: an admin service flips flags in a replicated map, a checkout
 * service reads them from its local replica on every request (no Redis round trip) and reacts the
 * moment one changes. Each service has its own {@link PulseRedis}, as separate processes would.
 */
public final class FeatureFlags {

    private FeatureFlags() {
    }

    public static void main(String[] args) {
        Examples.main(FeatureFlags::run);
    }

    /** Runs the example against {@code redisUri}, printing to {@code out}; returns the exit code. */
    public static int run(PrintStream out, String redisUri) {
        String name = Examples.unique("feature-flags");
        boolean ok = true;
        try (PulseRedis admin = PulseRedis.connect(redisUri);
                PulseRedis checkout = PulseRedis.connect(redisUri)) {

            ReplicatedMap adminFlags = ReplicatedMap.join(name, admin);
            adminFlags.set("feature.new-checkout", "false");
            adminFlags.appendValues("allowed.regions", "us-east-1", "eu-west-1");
            // setAndWait: once it returns, a replica that joins sees the flags above too
            adminFlags.setAndWait("checkout.max-items", "50");
            out.println("admin wrote the initial flags to '" + name + "'");

            // joining loads the whole map: a service started now needs no replay of past changes
            ReplicatedMap flags = ReplicatedMap.join(name, checkout);
            out.println("checkout joined and reads locally: new-checkout="
                    + flags.get("feature.new-checkout").orElse("?")
                    + ", max-items=" + flags.get("checkout.max-items").orElse("?")
                    + ", regions=" + flags.getValues("allowed.regions"));
            ok &= flags.getValues("allowed.regions").equals(List.of("us-east-1", "eu-west-1"));

            // react to a flag the moment it flips, rather than polling for it
            CountDownLatch enabled = new CountDownLatch(1);
            Subscription watch = flags.subscribe(event -> {
                if (event.kind() == MapEvent.Kind.CHANGE && "feature.new-checkout".equals(event.key())) {
                    String value = flags.get("feature.new-checkout").orElse("false");
                    out.println("  checkout: feature.new-checkout is now " + value);
                    if (value.equals("true")) {
                        enabled.countDown();
                    }
                }
            });

            out.println("checkout handles a request with the " + checkoutFlow(flags));
            adminFlags.set("feature.new-checkout", "true");
            out.println("admin turned feature.new-checkout on");
            ok &= await(enabled);
            out.println("checkout handles a request with the " + checkoutFlow(flags));
            ok &= checkoutFlow(flags).equals("new checkout flow");

            adminFlags.appendUniqueValues("allowed.regions", "ap-south-1");
            adminFlags.delete("checkout.max-items");
            // the admin's replica and checkout's converge on the same content
            ok &= Examples.await(Duration.ofSeconds(5), () -> flags.snapshot().equals(adminFlags.snapshot())
                    && !flags.keys().contains("checkout.max-items"));
            out.println("checkout now allows " + flags.getValues("allowed.regions")
                    + " and has no max-items limit: " + flags.get("checkout.max-items").isEmpty());
            out.println("both replicas agree: " + flags.snapshot().equals(adminFlags.snapshot()));

            watch.close();
            flags.close();
            adminFlags.close();
            adminFlags.destroy();
            Examples.deleteKeysContaining(admin, name);
        }
        out.println(ok ? "feature flags: all checks passed" : "feature flags: FAILED");
        return ok ? 0 : 1;
    }

    /** What a checkout request does, decided by a flag read from the local replica. */
    private static String checkoutFlow(ReplicatedMap flags) {
        boolean newCheckout = Boolean.parseBoolean(flags.get("feature.new-checkout").orElse("false"));
        return newCheckout ? "new checkout flow" : "old checkout flow";
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
