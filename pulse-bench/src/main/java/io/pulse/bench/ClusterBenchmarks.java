package io.pulse.bench;

import io.pulse.core.PulseRedis;
import io.pulse.pool.JobHandler;
import io.pulse.pool.Node;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The same Pulse workloads on one Redis and on a Redis Cluster in one run, the cluster's figure beside
 * the single Redis's: map {@code setAsync}, stream {@code addAsync} and pool dispatch on one component,
 * aggregate {@code setAsync}/{@code addAsync} spread over 30 maps and 30 streams, and the cost of
 * {@code waitForReplicas(1, ...)} on the cluster. Usage: {@code ClusterBenchmarks <redis-uri> <seed-uri>...}.
 *
 * <p>On a machine with few cores every shard competes with the client and the other shards for the
 * same CPUs, so these figures show the cost a cluster adds per operation (routing, more connections),
 * not how throughput grows with shards: that needs a host (or at least a core) per shard.
 */
public final class ClusterBenchmarks {

    private static final int IN_FLIGHT = 256;
    private static final Duration RUN = Duration.ofSeconds(3);
    private static final int COMPONENTS = 30;
    private static final int DISPATCHES = 600;
    private static final int DISPATCHERS = 8;

    private ClusterBenchmarks() {
    }

    /** Runs every workload on both and prints the table. */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ClusterBenchmarks <redis-uri> <cluster-seed-uri>...");
            System.exit(2);
        }
        System.setProperty("org.slf4j.simpleLogger.log.io.pulse", "warn");
        List<String> seeds = List.of(args).subList(1, args.length);
        List<Row> rows = new ArrayList<>();
        try (PulseRedis single = PulseRedis.connect(args[0]);
                PulseRedis cluster = PulseRedis.cluster(seeds.toArray(String[]::new));
                PulseRedis safe = PulseRedis.clusterBuilder(seeds).waitForReplicas(1, Duration.ofSeconds(1)).connect()) {
            rows.add(Row.info("cluster vs one Redis: map `setAsync`, one map, " + IN_FLIGHT + " in flight (ops/s)",
                    setRate(cluster, 1), setRate(single, 1), "%,.0f"));
            rows.add(Row.info("cluster vs one Redis: stream `addAsync`, one stream, " + IN_FLIGHT
                    + " in flight (ops/s)", addRate(cluster, 1), addRate(single, 1), "%,.0f"));
            rows.add(Row.info("cluster vs one Redis: pool dispatch, 1 node x 4 workers, " + DISPATCHERS
                    + " dispatchers (jobs/s)", dispatchRate(cluster), dispatchRate(single), "%,.0f"));
            rows.add(Row.info("cluster vs one Redis: map `setAsync` over " + COMPONENTS + " maps, " + IN_FLIGHT
                    + " in flight (ops/s)", setRate(cluster, COMPONENTS), setRate(single, COMPONENTS), "%,.0f"));
            rows.add(Row.info("cluster vs one Redis: stream `addAsync` over " + COMPONENTS + " streams, " + IN_FLIGHT
                    + " in flight (ops/s)", addRate(cluster, COMPONENTS), addRate(single, COMPONENTS), "%,.0f"));
            rows.add(Row.info("cluster: map `setAsync` with `waitForReplicas(1)` vs without, one map, " + IN_FLIGHT
                    + " in flight (ops/s)", setRate(safe, 1), setRate(cluster, 1), "%,.0f"));
        }
        System.out.println("| benchmark | cluster (or with the option) | one Redis (or without) | ratio | goal | met |");
        System.out.println("|---|---:|---:|---:|---|---|");
        rows.forEach(r -> System.out.println(r.markdown()));
    }

    private static double setRate(PulseRedis redis, int maps) {
        List<ReplicatedMap> all = new ArrayList<>();
        for (int i = 0; i < maps; i++) {
            all.add(ReplicatedMap.join("bench-cluster-map-" + i, redis));
        }
        try {
            return rate(n -> all.get(n % maps).setAsync("k" + (n % 1000), "v"));
        } finally {
            all.forEach(ReplicatedMap::close);
        }
    }

    private static double addRate(PulseRedis redis, int streams) {
        List<Stream> all = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            all.add(Stream.builder("bench-cluster-stream-" + i, redis).maxLen(10_000).open());
        }
        byte[] payload = "payload".getBytes(StandardCharsets.UTF_8);
        return rate(n -> all.get(n % streams).addAsync("e", payload));
    }

    /** Operations per second with {@link #IN_FLIGHT} in flight for {@link #RUN}, after as long a warm-up. */
    private static double rate(IntFunction<CompletableFuture<?>> op) {
        run(op, RUN);
        return run(op, RUN) / (RUN.toNanos() / 1e9);
    }

    private static long run(IntFunction<CompletableFuture<?>> op, Duration duration) {
        Semaphore window = new Semaphore(IN_FLIGHT);
        AtomicInteger done = new AtomicInteger();
        long end = System.nanoTime() + duration.toNanos();
        int n = 0;
        while (System.nanoTime() < end) {
            window.acquireUninterruptibly();
            op.apply(n++).whenComplete((v, e) -> {
                done.incrementAndGet();
                window.release();
            });
        }
        window.acquireUninterruptibly(IN_FLIGHT);
        return done.get();
    }

    private static double dispatchRate(PulseRedis redis) throws Exception {
        String pool = "bench-cluster-pool-" + System.nanoTime();
        JobHandler idle = new JobHandler() {
            @Override
            public void start(io.pulse.pool.Job job) {
            }

            @Override
            public void stop(String key) {
            }
        };
        try (Node node = Node.builder(pool, redis).maxQueuedJobs(10_000).join();
                Node producer = Node.builder(pool, redis).clientOnly().join()) {
            for (int w = 0; w < 4; w++) {
                node.addWorker(idle);
            }
            Supplier<Double> round = () -> {
                AtomicInteger next = new AtomicInteger();
                long started = System.nanoTime();
                List<Thread> threads = new ArrayList<>();
                String prefix = "r" + System.nanoTime() + "-";
                for (int t = 0; t < DISPATCHERS; t++) {
                    Thread thread = new Thread(() -> {
                        for (int i; (i = next.getAndIncrement()) < DISPATCHES; ) {
                            producer.dispatchJob(prefix + i, new byte[0]);
                        }
                    });
                    thread.start();
                    threads.add(thread);
                }
                threads.forEach(th -> {
                    try {
                        th.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                return DISPATCHES / ((System.nanoTime() - started) / 1e9);
            };
            round.get();
            return round.get();
        }
    }
}
