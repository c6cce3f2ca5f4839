package io.pulse.examples;

import io.pulse.core.PulseRedis;
import io.pulse.pool.Job;
import io.pulse.pool.JobExistsException;
import io.pulse.pool.JobHandler;
import io.pulse.pool.JobStartException;
import io.pulse.pool.Node;
import io.pulse.streaming.JsonCodec;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The producer side of a worker pool: a client-only {@link Node} (it hosts no worker and routes
 * nothing) dispatches keyed jobs, sends them notifications, looks at them and stops them. A job key
 * is unique in the pool, and {@code dispatchJob} returns once a worker's handler started the job.
 *
 * <p>So that the example runs on its own, a worker node is started in the same process; in real life
 * it is another service (see {@link PoolWorker}).
 */
public final class PoolProducer {

    /** The payload of a report job; the codec turns it into the job's bytes and back. */
    record ReportRequest(String tenant, String quarter) {
    }

    private PoolProducer() {
    }

    public static void main(String[] args) {
        Examples.main(PoolProducer::run);
    }

    /** Runs the example against {@code redisUri}, printing to {@code out}; returns the exit code. */
    public static int run(PrintStream out, String redisUri) {
        String pool = Examples.unique("reports");
        boolean ok = true;
        try (PulseRedis workerService = PulseRedis.connect(redisUri);
                PulseRedis api = PulseRedis.connect(redisUri)) {
            Node workerNode = fast(Node.builder(pool, workerService)).join();
            ReportWorker handler = new ReportWorker(out);
            workerNode.addWorker(handler);

            // the API service only dispatches: a client-only node
            Node producer = fast(Node.builder(pool, api)).clientOnly().join();
            out.println("the API service joined pool '" + pool + "' as a client-only node");

            for (String tenant : List.of("acme", "globex", "initech")) {
                byte[] payload = JsonCodec.DEFAULT.encode(new ReportRequest(tenant, "2024-Q1"));
                producer.dispatchJob("report:" + tenant, payload); // returns once the job started
                out.println("dispatched report:" + tenant);
            }

            // one job per key: a second dispatch of a running key is refused
            try {
                producer.dispatchJob("report:acme", JsonCodec.DEFAULT.encode(new ReportRequest("acme", "2024-Q2")));
                ok = false;
            } catch (JobExistsException e) {
                out.println("dispatching report:acme again is refused: " + e.getMessage());
            }
            // a handler that throws in start makes the dispatch fail with its message
            try {
                producer.dispatchJob("report:umbrella",
                        JsonCodec.DEFAULT.encode(new ReportRequest("umbrella", "1999-Q4")));
                ok = false;
            } catch (JobStartException e) {
                out.println("report:umbrella did not start: " + e.getMessage());
            }

            // client-only nodes read the pool's state from Redis
            out.println("jobs running in the pool: " + producer.jobKeys());
            ReportRequest globex = JsonCodec.DEFAULT.decode(producer.jobPayload("report:globex").orElseThrow(),
                    ReportRequest.class);
            out.println("payload of report:globex: " + globex);
            ok &= producer.jobKeys().size() == 3 && globex.tenant().equals("globex");

            // notifications reach the handler of the job, wherever it runs
            producer.notifyWorker("report:initech", Examples.utf8("include-drafts"));
            ok &= Examples.await(Duration.ofSeconds(5), () -> handler.notified.contains("report:initech"));

            producer.stopJob("report:acme");
            ok &= Examples.await(Duration.ofSeconds(5), () -> !producer.jobKeys().contains("report:acme"));
            out.println("after stopJob(report:acme) the pool runs " + producer.jobKeys());

            producer.close();
            // shutdown stops every job of the pool (nothing is requeued) and deletes the pool's state
            workerNode.shutdown();
            out.println("worker node shut the pool down; handler stopped " + handler.stopped);
            ok &= handler.stopped.containsAll(Set.of("report:acme", "report:globex", "report:initech"));
            Examples.deleteKeysContaining(api, pool);
        }
        out.println(ok ? "pool producer: all checks passed" : "pool producer: FAILED");
        return ok ? 0 : 1;
    }

    /** Short timings so the example finishes in seconds; production keeps the defaults (30 s, 20 s). */
    private static Node.Builder fast(Node.Builder node) {
        return node.workerTtl(Duration.ofSeconds(2)).ackGracePeriod(Duration.ofSeconds(1))
                .jobSinkBlockDuration(Duration.ofMillis(200)).workerShutdownTtl(Duration.ofSeconds(2));
    }

    /** The worker service's handler: starts report jobs, refusing tenants it does not know. */
    static final class ReportWorker implements JobHandler {
        private final PrintStream out;
        final Set<String> notified = ConcurrentHashMap.newKeySet();
        final Set<String> stopped = ConcurrentHashMap.newKeySet();

        ReportWorker(PrintStream out) {
            this.out = out;
        }

        @Override
        public void start(Job job) {
            ReportRequest request = JsonCodec.DEFAULT.decode(job.payload(), ReportRequest.class);
            if (request.tenant().equals("umbrella")) {
                throw new IllegalArgumentException("unknown tenant umbrella");
            }
            out.println("  worker: started " + job.key() + " for " + request.quarter());
        }

        @Override
        public void stop(String key) {
            stopped.add(key);
            out.println("  worker: stopped " + key);
        }

        @Override
        public void handleNotification(String key, byte[] payload) {
            notified.add(key);
            out.println("  worker: " + key + " notified: " + Examples.text(payload));
        }
    }
}
