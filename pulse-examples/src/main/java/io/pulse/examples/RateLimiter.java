package io.pulse.examples;

import io.pulse.core.PulseRedis;
import io.pulse.rmap.ReplicatedMap;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A global rate limit enforced by two API services through one shared counter: each request does an
 * atomic {@code inc} on a replicated map, and is refused once the window's count passes the limit,
 * however the requests are spread over the services.
 */
public final class RateLimiter {

    /** Requests the whole fleet may serve per window. */
    static final int LIMIT = 10;

    private RateLimiter() {
    }

    public static void main(String[] args) {
        Examples.main(RateLimiter::run);
    }

    /**
     * One service's view of the limit. {@code inc} runs in Redis, so two services incrementing at the
     * same moment still get distinct counts: exactly {@link #LIMIT} requests per window get a count
     * within the limit.
     */
    static final class GlobalLimit {
        private final String service;
        private final ReplicatedMap counters;

        GlobalLimit(String service, ReplicatedMap counters) {
            this.service = service;
            this.counters = counters;
        }

        /** Counts a request in {@code window}; returns whether it is within the limit. */
        boolean tryAcquire(String window) {
            return counters.inc(window, 1) <= LIMIT;
        }

        /** How many requests the fleet made in {@code window}, as this service's replica last saw it. */
        long used(String window) {
            return Long.parseLong(counters.get(window).orElse("0"));
        }

        String service() {
            return service;
        }
    }

    /** {@code requests} arriving during {@code window}. */
    private record Burst(String window, int requests) {
    }

    /** Runs the example against {@code redisUri}, printing to {@code out}; returns the exit code. */
    public static int run(PrintStream out, String redisUri) {
        String name = Examples.unique("rate-limits");
        boolean ok = true;
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try (PulseRedis search = PulseRedis.connect(redisUri);
                PulseRedis catalog = PulseRedis.connect(redisUri)) {
            ReplicatedMap searchCounters = ReplicatedMap.join(name, search);
            ReplicatedMap catalogCounters = ReplicatedMap.join(name, catalog);
            List<GlobalLimit> services = List.of(new GlobalLimit("search", searchCounters),
                    new GlobalLimit("catalog", catalogCounters));
            out.println("search and catalog share the limit of " + LIMIT + " requests per window");

            // In production the window is the current time slot ("calls:2024-05-01T12:00").
            // Here two windows are named explicitly, so that the output is the same on every run.
            for (Burst burst : List.of(new Burst("calls:window-1", 16), new Burst("calls:window-2", 6))) {
                String window = burst.window();
                int requests = burst.requests();
                AtomicInteger accepted = new AtomicInteger();
                AtomicInteger refused = new AtomicInteger();
                List<Future<?>> done = new ArrayList<>();
                // both services take requests at the same time, from several threads each
                for (int i = 0; i < requests; i++) {
                    GlobalLimit limit = services.get(i % services.size());
                    done.add(clients.submit(() -> {
                        if (limit.tryAcquire(window)) {
                            accepted.incrementAndGet();
                        } else {
                            refused.incrementAndGet();
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                int expected = Math.min(requests, LIMIT);
                // the count is replicated, so each service can show it without asking Redis
                Examples.await(Duration.ofSeconds(5),
                        () -> services.stream().allMatch(s -> s.used(window) == requests));
                out.printf("%s: %d requests over both services -> %d accepted, %d refused (429)%n", window, requests,
                        accepted.get(), refused.get());
                for (GlobalLimit s : services) {
                    out.printf("  %s's replica shows %d requests counted in %s%n", s.service(), s.used(window), window);
                }
                ok &= accepted.get() == expected && refused.get() == requests - expected;
                ok &= services.stream().allMatch(s -> s.used(window) == requests);
                // the past window is no longer needed by anyone
                searchCounters.delete(window);
            }
            out.println("the global limit held: " + ok);

            catalogCounters.close();
            searchCounters.close();
            searchCounters.destroy();
            Examples.deleteKeysContaining(search, name);
        } catch (Exception e) {
            e.printStackTrace(out);
            ok = false;
        } finally {
            clients.shutdownNow();
        }
        out.println(ok ? "rate limiter: all checks passed" : "rate limiter: FAILED");
        return ok ? 0 : 1;
    }
}
