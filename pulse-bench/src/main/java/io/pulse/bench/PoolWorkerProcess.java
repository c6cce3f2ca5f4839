package io.pulse.bench;

import io.pulse.core.PulseRedis;
import io.pulse.pool.Job;
import io.pulse.pool.JobHandler;
import io.pulse.pool.Node;
import io.pulse.pool.Worker;
import java.time.Duration;

/**
 * The node that {@link PoolFailover} kills: a process of its own that joins a pool as a full node
 * with one worker whose handler does nothing, prints {@code READY <workerId>} on standard output, and
 * then waits. Killed with SIGKILL by the measurement; if its parent goes away instead (standard input
 * reaches its end) it leaves the pool cleanly and exits, so no stray process outlives a run.
 *
 * <p>Usage: {@code java -cp pulse-bench.jar io.pulse.bench.PoolWorkerProcess <redisUrl> <pool>
 * <workerTtlMillis> <ackGracePeriodMillis>}, where 0 keeps the option's default.
 */
public final class PoolWorkerProcess {

    private PoolWorkerProcess() {
    }

    /** Joins, prints READY, waits for standard input to end. */
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: PoolWorkerProcess <redisUrl> <pool> <workerTtlMillis> <ackGracePeriodMillis>");
            System.exit(2);
        }
        PulseRedis redis = PulseRedis.connect(args[0]);
        Node.Builder builder = Node.builder(args[1], redis);
        long ttl = Long.parseLong(args[2]);
        long grace = Long.parseLong(args[3]);
        if (ttl > 0) {
            builder.workerTtl(Duration.ofMillis(ttl));
        }
        if (grace > 0) {
            builder.ackGracePeriod(Duration.ofMillis(grace));
        }
        Node node = builder.join();
        Worker worker = node.addWorker(new JobHandler() {
            @Override
            public void start(Job job) {
            }

            @Override
            public void stop(String key) {
            }
        });
        System.out.println("READY " + worker.id());
        System.out.flush();
        while (System.in.read() >= 0) {
            // nothing is ever sent: this only waits for the parent to go away
        }
        node.close();
        redis.close();
        System.exit(0);
    }
}
