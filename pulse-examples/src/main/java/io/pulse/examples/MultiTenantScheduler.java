package io.pulse.examples;

import io.pulse.core.PulseRedis;
import io.pulse.pool.Job;
import io.pulse.pool.JobHandler;
import io.pulse.pool.JobPlan;
import io.pulse.pool.JobSpec;
import io.pulse.pool.Node;
import io.pulse.pool.Schedule;
import io.pulse.rmap.ReplicatedMap;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A scheduler keeping one sync job per tenant: every interval a {@link Schedule} asks its producer
 * for the jobs that should run ({@link JobPlan#exactly}) and the pool starts the missing ones and
 * stops the others. Every node schedules the same producer, yet each tick runs on one node only; if
 * that node leaves, the others go on. The tenant list lives in a replicated map, so the producer
 * reads it locally.
 */
public final class MultiTenantScheduler {

    private static final Duration INTERVAL = Duration.ofMillis(300);

    private MultiTenantScheduler() {
    }

    public static void main(String[] args) {
        Examples.main(MultiTenantScheduler::run);
    }

    /** Keeps a tenant's data in sync while its job runs. */
    static final class TenantSync implements JobHandler {
        private final String node;
        private final PrintStream out;

        TenantSync(String node, PrintStream out) {
            this.node = node;
            this.out = out;
        }

        @Override
        public void start(Job job) {
            out.printf("  %s: start syncing %s%s%n", node, job.key(), job.requeued() ? " (moved here)" : "");
        }

        @Override
        public void stop(String key) {
            out.printf("  %s: stop syncing %s%n", node, key);
        }
    }

    /** One full node of the pool: its own connection, a worker, the tenant list and the schedule. */
    static final class SchedulerNode implements AutoCloseable {
        final PulseRedis redis;
        final Node node;
        final ReplicatedMap tenants;
        final Schedule schedule;

        SchedulerNode(String name, String pool, String redisUri, String tenantMap, PrintStream out) {
            redis = PulseRedis.connect(redisUri);
            // short timings so the example finishes in seconds; production keeps the defaults (30 s, 20 s)
            node = Node.builder(pool, redis).workerTtl(Duration.ofSeconds(2)).ackGracePeriod(Duration.ofSeconds(1))
                    .jobSinkBlockDuration(Duration.ofMillis(200)).workerShutdownTtl(Duration.ofSeconds(2)).join();
            node.addWorker(new TenantSync(name, out));
            tenants = ReplicatedMap.join(tenantMap, redis);
            // the plan: exactly one job per tenant. (Returning JobPlan.stopSchedule() would end the
            // schedule on every node.)
            schedule = node.schedule("tenant-sync", INTERVAL, () -> JobPlan.exactly(
                    new TreeSet<>(tenants.keys()).stream()
                            .map(tenant -> new JobSpec("sync:" + tenant, Examples.utf8(tenants.get(tenant).orElse(""))))
                            .toList()));
        }

        /** Leaves the pool: this node's jobs move to the other node. Idempotent. */
        @Override
        public void close() {
            tenants.close();
            node.close();
            redis.close();
        }
    }

    /** Runs the example against {@code redisUri}, printing to {@code out}; returns the exit code. */
    public static int run(PrintStream out, String redisUri) {
        String pool = Examples.unique("tenant-sync");
        String tenantMap = pool + ":tenants";
        boolean ok = true;
        try (PulseRedis admin = PulseRedis.connect(redisUri);
                SchedulerNode a = new SchedulerNode("node-a", pool, redisUri, tenantMap, out);
                SchedulerNode b = new SchedulerNode("node-b", pool, redisUri, tenantMap, out)) {
            ReplicatedMap tenants = ReplicatedMap.join(tenantMap, admin);
            Node observer = Node.builder(pool, admin).clientOnly().join();
            // so that the first jobs are routed over both workers rather than moved once the second shows up
            Examples.await(Duration.ofSeconds(5),
                    () -> a.node.poolWorkers().size() == 2 && b.node.poolWorkers().size() == 2);
            out.println("node-a and node-b run the schedule 'tenant-sync' every " + INTERVAL.toMillis() + " ms");

            tenants.set("acme", "eu-west-1");
            tenants.set("umbrella", "us-east-1");
            out.println("admin: tenants acme and umbrella signed up");
            ok &= awaitJobs(out, observer, "sync:acme", "sync:umbrella");

            tenants.set("initech", "eu-west-1");
            out.println("admin: tenant initech signed up");
            ok &= awaitJobs(out, observer, "sync:acme", "sync:initech", "sync:umbrella");

            tenants.delete("acme");
            out.println("admin: tenant acme left");
            ok &= awaitJobs(out, observer, "sync:initech", "sync:umbrella");

            // a node leaving changes nothing to the plan: its jobs move, and the other node keeps ticking
            out.println("node-a leaves the pool");
            a.close();
            tenants.set("wayne", "us-west-2");
            out.println("admin: tenant wayne signed up; node-b alone runs the schedule now");
            ok &= awaitJobs(out, observer, "sync:initech", "sync:umbrella", "sync:wayne");

            b.schedule.cancel();
            observer.close();
            b.node.shutdown(); // stops every job and deletes the pool's state
            b.close();
            tenants.close();
            tenants.destroy();
            Examples.deleteKeysContaining(admin, pool);
        }
        out.println(ok ? "multi-tenant scheduler: all checks passed" : "multi-tenant scheduler: FAILED");
        return ok ? 0 : 1;
    }

    /** Waits until the pool runs exactly {@code keys}; prints and returns whether it does. */
    private static boolean awaitJobs(PrintStream out, Node observer, String... keys) {
        Set<String> wanted = new TreeSet<>(List.of(keys));
        boolean reached = Examples.await(Duration.ofSeconds(10),
                () -> new TreeSet<>(observer.jobKeys()).equals(wanted));
        out.println("the pool runs " + new TreeSet<>(observer.jobKeys()));
        return reached;
    }
}
