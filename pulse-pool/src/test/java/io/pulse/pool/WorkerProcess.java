package io.pulse.pool;

import io.pulse.core.PulseRedis;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A worker node in a JVM of its own, for tests that kill a node abruptly (SIGKILL). Arguments: Redis
 * URI, pool name, number of workers, worker TTL in ms, ack grace period in ms. Prints
 * {@code READY <worker ids>} once its workers are registered, then runs until killed.
 */
public final class WorkerProcess {

    private WorkerProcess() {
    }

    public static void main(String[] args) throws Exception {
        PulseRedis redis = PulseRedis.connect(args[0]);
        Node node = Node.builder(args[1], redis)
                .workerTtl(Duration.ofMillis(Long.parseLong(args[3])))
                .ackGracePeriod(Duration.ofMillis(Long.parseLong(args[4])))
                .jobSinkBlockDuration(Duration.ofMillis(200))
                .join();
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < Integer.parseInt(args[2]); i++) {
            Worker w = node.addWorker(new JobHandler() {
                @Override
                public void start(Job job) {
                }

                @Override
                public void stop(String key) {
                }
            });
            ids.append(' ').append(w.id());
        }
        System.out.println("READY" + ids);
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
