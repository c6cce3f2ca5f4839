package io.pulse.examples;

import io.pulse.core.PulseRedis;
import io.pulse.pool.Job;
import io.pulse.pool.JobHandler;
import io.pulse.pool.Node;
import io.pulse.pool.Worker;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The worker side of a pool: a node hosts workers, each running the jobs routed to it with a
 * {@link JobHandler}. A job goes to a worker chosen by consistent hashing of its key, so when workers
 * come and go only some jobs move (stopped on one worker, started on another with
 * {@link Job#requeued()} true). Jobs are long-running: one runs until it is stopped.
 */
public final class PoolWorker {

    private static final List<String> VIDEOS = List.of("video-1", "video-2", "video-3", "video-4", "video-5",
            "video-6");

    private PoolWorker() {
    }

    public static void main(String[] args) {
        Examples.main(PoolWorker::run);
    }

    /**
     * Transcodes videos; one instance per worker. Pulse calls a handler from one thread at a time, so
     * {@code start} and {@code stop} return quickly and the real work would run elsewhere.
     */
    static final class Transcoder implements JobHandler {
        final String name;
        final Set<String> running = ConcurrentHashMap.newKeySet();
        final Set<String> notified = ConcurrentHashMap.newKeySet();
        private final PrintStream out;

        Transcoder(String name, PrintStream out) {
            this.name = name;
            this.out = out;
        }

        @Override
        public void start(Job job) {
            running.add(job.key());
            // requeued: the job ran elsewhere before; a real handler would resume rather than restart
            out.printf("  %s started %s%s%n", name, job.key(), job.requeued() ? " (moved here)" : "");
        }

        @Override
        public void stop(String key) {
            running.remove(key);
            out.printf("  %s stopped %s%n", name, key);
        }

        @Override
        public void handleNotification(String key, byte[] payload) {
            notified.add(key);
            out.printf("  %s: %s notified: %s%n", name, key, Examples.text(payload));
        }

        Set<String> jobs() {
            return new TreeSet<>(running);
        }
    }

    /** Runs the example against {@code redisUri}, printing to {@code out}; returns the exit code. */
    public static int run(PrintStream out, String redisUri) {
        String pool = Examples.unique("transcoding");
        boolean ok = true;
        try (PulseRedis workerService = PulseRedis.connect(redisUri);
                PulseRedis api = PulseRedis.connect(redisUri)) {
            // short timings so the example finishes in seconds; production keeps the defaults (30 s, 20 s)
            Node node = Node.builder(pool, workerService).workerTtl(Duration.ofSeconds(2))
                    .ackGracePeriod(Duration.ofSeconds(1)).jobSinkBlockDuration(Duration.ofMillis(200))
                    .workerShutdownTtl(Duration.ofSeconds(2)).join();
            Transcoder first = new Transcoder("worker-1", out);
            node.addWorker(first);
            out.println("a node joined pool '" + pool + "' with one worker");

            Node producer = Node.builder(pool, api).ackGracePeriod(Duration.ofSeconds(1)).clientOnly().join();
            for (String video : VIDEOS) {
                producer.dispatchJob(video, Examples.utf8("1080p"));
            }
            out.println("dispatched " + VIDEOS.size() + " jobs; worker-1 runs " + first.jobs());
            ok &= first.jobs().equals(new TreeSet<>(VIDEOS));

            // a second worker joins: the pool rebalances, moving the jobs whose key now hashes to it
            out.println("adding worker-2");
            Transcoder second = new Transcoder("worker-2", out);
            Worker secondWorker = node.addWorker(second);
            ok &= awaitSettled(List.of(first, second)) && !second.running.isEmpty();
            out.println("after rebalancing: worker-1 runs " + first.jobs() + ", worker-2 runs " + second.jobs());

            // notifications go to the worker running the job
            String moved = second.jobs().iterator().next();
            producer.notifyWorker(moved, Examples.utf8("switch to 720p"));
            ok &= Examples.await(Duration.ofSeconds(5), () -> second.notified.contains(moved));

            // removing a worker hands its jobs back to the remaining ones
            out.println("removing worker-2");
            node.removeWorker(secondWorker);
            ok &= Examples.await(Duration.ofSeconds(10), () -> first.jobs().equals(new TreeSet<>(VIDEOS)));
            out.println("worker-1 runs " + first.jobs() + ", worker-2 runs " + second.jobs());
            ok &= second.running.isEmpty();

            producer.close();
            node.shutdown();
            Examples.deleteKeysContaining(api, pool);
        }
        out.println(ok ? "pool worker: all checks passed" : "pool worker: FAILED");
        return ok ? 0 : 1;
    }

    /**
     * Waits until every video runs on exactly one worker and nothing moved for a moment: moves happen
     * one job at a time, so a balanced state may still be halfway through a rebalance.
     */
    private static boolean awaitSettled(List<Transcoder> workers) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            String before = distribution(workers);
            Examples.sleep(Duration.ofMillis(300));
            if (balanced(workers) && distribution(workers).equals(before)) {
                return true;
            }
        }
        return false;
    }

    /** Whether every video runs on exactly one of {@code workers}. */
    private static boolean balanced(List<Transcoder> workers) {
        List<String> all = new ArrayList<>();
        workers.forEach(w -> all.addAll(w.jobs()));
        return all.size() == VIDEOS.size() && new TreeSet<>(all).equals(new TreeSet<>(VIDEOS));
    }

    private static String distribution(List<Transcoder> workers) {
        StringBuilder s = new StringBuilder();
        workers.forEach(w -> s.append(w.name).append(w.jobs()));
        return s.toString();
    }
}
