package io.pulse.pool;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link WorkerProcess}es (a node with workers in a JVM of its own, to be killed with SIGKILL)
 * and waits until their workers are registered.
 */
final class WorkerProcesses {

    private WorkerProcesses() {
    }

    /** Starts a node with {@code workers} workers on {@code pool}; see {@link WorkerProcess}. */
    static Process start(String redisUri, String pool, int workers, Duration workerTtl, Duration ackGrace)
            throws IOException {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), WorkerProcess.class.getName(),
                redisUri, pool, Integer.toString(workers), Long.toString(workerTtl.toMillis()),
                Long.toString(ackGrace.toMillis()))
                .redirectErrorStream(true)
                .start();
    }

    /** Waits (at most a minute) for the process's workers and returns their ids; then drains its output. */
    static List<String> awaitReady(Process process) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> ids = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("READY")) {
                        return Arrays.asList(line.substring(5).trim().split(" "));
                    }
                }
            } catch (IOException e) {
                // the process died: no ids
            }
            return List.<String>of();
        }).get(60, TimeUnit.SECONDS);
        // a full pipe would block the process
        CompletableFuture.runAsync(() -> {
            try {
                while (out.readLine() != null) {
                    // discarded
                }
            } catch (IOException e) {
                // the process died
            }
        });
        return ids;
    }
}
