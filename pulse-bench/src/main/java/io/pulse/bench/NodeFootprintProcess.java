package io.pulse.bench;

import io.pulse.core.PulseRedis;
import io.pulse.pool.Job;
import io.pulse.pool.JobHandler;
import io.pulse.pool.Node;
import io.pulse.rmap.ReplicatedMap;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The node {@link NodeFootprint} measures, in a JVM of its own: it reports the JVM alone, then joins
 * a pool as a full node with {@code workers} idle workers and joins a replicated map holding
 * {@code mapKeys} keys (writing them if missing), prints {@code READY} and waits. On a line
 * {@code MEASURE} on standard input it collects garbage and reports again; when standard input ends it
 * leaves the pool and exits (so it never outlives its parent).
 *
 * <p>Reports are lines {@code STATE <label> osThreads=<n> heapUsed=<bytes> rss=<kB>} followed by one
 * {@code THREAD <name>} line per Java thread, and {@code END}.
 *
 * <p>Usage: {@code java -cp pulse-bench.jar io.pulse.bench.NodeFootprintProcess <redisUrl> <pool>
 * <workers> <map> <mapKeys>}.
 */
public final class NodeFootprintProcess {

    private NodeFootprintProcess() {
    }

    /** Joins, reports, waits; see the class comment. */
    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: NodeFootprintProcess <redisUrl> <pool> <workers> <map> <mapKeys>");
            System.exit(2);
        }
        report("jvm");
        PulseRedis redis = PulseRedis.connect(args[0]);
        Node node = Node.join(args[1], redis);
        JobHandler idle = new JobHandler() {
            @Override
            public void start(Job job) {
            }

            @Override
            public void stop(String key) {
            }
        };
        for (int i = 0, n = Integer.parseInt(args[2]); i < n; i++) {
            node.addWorker(idle);
        }
        ReplicatedMap map = ReplicatedMap.join(args[3], redis);
        int keys = Integer.parseInt(args[4]);
        if (map.size() < keys) {
            List<CompletableFuture<String>> writes = new ArrayList<>(keys);
            for (int i = 0; i < keys; i++) {
                writes.add(map.setAsync(String.format(Locale.ROOT, "key-%05d", i), "value-" + i));
            }
            CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
        }
        System.out.println("READY");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("MEASURE")) {
                report("node");
            }
        }
        map.close();
        node.close();
        redis.close();
        System.exit(0);
    }

    private static void report(String label) throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            memory.gc();
            Thread.sleep(100);
        }
        long heapUsed = memory.getHeapMemoryUsage().getUsed();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "STATE %s osThreads=%d heapUsed=%d rss=%d%n", label, osThreads(), heapUsed,
                rssKb()));
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            out.append("THREAD ").append(t.getName()).append('\n');
        }
        out.append("END\n");
        System.out.print(out);
        System.out.flush();
    }

    /** Every thread of this process, the JVM's own included; -1 where {@code /proc} is missing. */
    private static int osThreads() {
        int n = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path ignored : tasks) {
                n++;
            }
            return n;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Resident set size in kB from {@code /proc/self/status}; -1 where it is missing. */
    private static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // reported as unknown
        }
        return -1;
    }
}
