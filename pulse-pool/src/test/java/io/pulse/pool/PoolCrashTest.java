package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.core.PulseRedis;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A worker node killed abruptly in another JVM loses none of its jobs. */
class PoolCrashTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration WORKER_TTL = Duration.ofSeconds(2);
    private static final Duration ACK_GRACE = Duration.ofSeconds(1);

    /** Counts starts per key and tracks what runs, on the surviving nodes. */
    static final class Tracking implements JobHandler {
        final Map<String, AtomicInteger> starts;
        final Set<String> running;

        Tracking(Map<String, AtomicInteger> starts, Set<String> running) {
            this.starts = starts;
            this.running = running;
        }

        @Override
        public void start(Job job) {
            starts.computeIfAbsent(job.key(), k -> new AtomicInteger()).incrementAndGet();
            running.add(job.key());
        }

        @Override
        public void stop(String key) {
            running.remove(key);
        }
    }

    private Node node(String pool) {
        return Node.builder(pool, REDIS.newPulseRedis()).workerTtl(WORKER_TTL).ackGracePeriod(ACK_GRACE)
                .jobSinkBlockDuration(Duration.ofMillis(200)).workerShutdownTtl(Duration.ofSeconds(2)).join();
    }

    @Test
    void jobsOfANodeKilledWithSigkillRestartOnSurvivingWorkersAndNoneIsLost() throws Exception {
        String pool = RedisServerExtension.uniqueName("crash");
        Map<String, AtomicInteger> starts = new ConcurrentHashMap<>();
        Set<String> running = ConcurrentHashMap.newKeySet();
        Node a = node(pool);
        Node b = node(pool);
        for (Node n : List.of(a, b)) {
            n.addWorker(new Tracking(starts, running));
            n.addWorker(new Tracking(starts, running));
        }
        Process victim = startWorkerProcess(pool, 1);
        try {
            List<String> victimWorkers = awaitReady(victim);
            await().atMost(Duration.ofSeconds(30)).until(() -> a.view().activeWorkers().size() == 5 && b.view().activeWorkers().size() == 5);

            PulseRedis producerRedis = REDIS.newPulseRedis();
            // the producer only dispatches: a long grace gives the cold JVM of the victim time to answer
            Node producer = Node.builder(pool, producerRedis).workerTtl(WORKER_TTL)
                    .ackGracePeriod(Duration.ofSeconds(15)).clientOnly().join();
            Semaphore inFlight = new Semaphore(64);
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                inFlight.acquire();
                all.add(producer.dispatchJobAsync("job-" + i, new byte[0]).whenComplete((v, e) -> inFlight.release()));
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);

            Set<String> victimJobs = jobsOf(pool, victimWorkers);
            assertThat(victimJobs).hasSizeBetween(100, 350);
            assertThat(running).hasSize(1000 - victimJobs.size());

            long killedAt = System.nanoTime();
            victim.destroyForcibly();
            victim.waitFor(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> running.containsAll(victimJobs));
            Duration recovery = Duration.ofNanos(System.nanoTime() - killedAt);

            // every job of the 1,000 runs on a survivor; none was lost
            await().atMost(Duration.ofSeconds(30)).until(() -> running.size() == 1000);
            long startedTwice = starts.values().stream().filter(c -> c.get() > 1).count();
            System.out.printf("recovery of %d jobs after SIGKILL: %d ms (workerTtl %d ms); started twice on survivors: %d%n",
                    victimJobs.size(), recovery.toMillis(), WORKER_TTL.toMillis(), startedTwice);
            // detection within the worker TTL plus one sweep period (half the TTL); the margin covers the
            // requeue round trips and scheduling delays of a loaded machine
            assertThat(recovery).isLessThan(WORKER_TTL.plus(WORKER_TTL.dividedBy(2)).plusSeconds(2));
            producer.close();
        } finally {
            victim.destroyForcibly();
        }
        a.close();
        b.close();
    }

    private Set<String> jobsOf(String pool, List<String> workers) throws Exception {
        Set<String> keys = new HashSet<>();
        ObjectMapper json = new ObjectMapper();
        for (String w : workers) {
            String list = REDIS.cli().hget(GoKeys.mapContent(GoKeys.jobsMap(pool)), w);
            if (list != null) {
                keys.addAll(Arrays.asList(json.readValue(list, String[].class)));
            }
        }
        return keys;
    }

    private Process startWorkerProcess(String pool, int workers) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), WorkerProcess.class.getName(),
                REDIS.uri(), pool, Integer.toString(workers), Long.toString(WORKER_TTL.toMillis()),
                Long.toString(ACK_GRACE.toMillis()))
                .redirectErrorStream(true)
                .start();
    }

    private static List<String> awaitReady(Process process) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<List<String>> ready = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("READY")) {
                        return Arrays.asList(line.substring(5).trim().split(" "));
                    }
                }
                return List.of();
            } catch (java.io.IOException e) {
                return List.of();
            }
        });
        List<String> ids = ready.get(60, TimeUnit.SECONDS);
        // keep draining its output so the process never blocks on a full pipe; keep it for diagnosis
        CompletableFuture.runAsync(() -> {
            try (java.io.PrintWriter log = new java.io.PrintWriter(new java.io.FileWriter("target/worker-process.log", true))) {
                String line;
                while ((line = out.readLine()) != null) {
                    log.println(line);
                }
            } catch (java.io.IOException e) {
                // the process died
            }
        });
        return ids;
    }
}
