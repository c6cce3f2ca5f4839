package io.pulse.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What this JVM's threads did between two snapshots, from Linux's {@code /proc/self/task}: CPU time in
 * user and kernel mode and voluntary context switches (a thread that parks, waits for a lock or blocks
 * in a system call switches out voluntarily: each hand-off from one thread to another costs at least
 * one). Threads are grouped by their kernel name, which is the Java name cut to 15 characters, with
 * trailing digits dropped. Where {@code /proc} is missing the snapshots are empty. Immutable.
 */
final class ThreadActivity {

    /** One thread's counters: CPU in clock ticks, context switches. */
    private record Counters(String group, long userTicks, long systemTicks, long voluntary) {
    }

    /**
     * One group's activity between two snapshots.
     *
     * @param threads threads of the group seen in the second snapshot
     * @param userMicros CPU in user mode (µs)
     * @param systemMicros CPU in kernel mode (µs)
     * @param voluntarySwitches voluntary context switches
     */
    record Group(int threads, double userMicros, double systemMicros, double voluntarySwitches) {
    }

    /** Linux's USER_HZ, the unit of the CPU counters in {@code /proc/<pid>/task/<tid>/stat}. */
    private static final double MICROS_PER_TICK = 10_000;

    private final Map<Long, Counters> threads;

    private ThreadActivity(Map<Long, Counters> threads) {
        this.threads = threads;
    }

    /** The counters of every thread of this JVM now. */
    static ThreadActivity snapshot() {
        Map<Long, Counters> threads = new HashMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return new ThreadActivity(threads);
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
            for (Path task : dir) {
                Counters c = read(task);
                if (c != null) {
                    threads.put(Long.parseLong(task.getFileName().toString()), c);
                }
            }
        } catch (IOException e) {
            // a thread that ended while being read is simply missing
        }
        return new ThreadActivity(threads);
    }

    private static Counters read(Path task) {
        try {
            String stat = Files.readString(task.resolve("stat"));
            int open = stat.indexOf('(');
            int close = stat.lastIndexOf(')');
            String[] fields = stat.substring(close + 2).split(" ");
            long voluntary = 0;
            List<String> status = Files.readAllLines(task.resolve("status"));
            for (String line : status) {
                if (line.startsWith("voluntary_ctxt_switches:")) {
                    voluntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            // fields after the name: state is [0], utime [11], stime [12]
            return new Counters(group(stat.substring(open + 1, close)), Long.parseLong(fields[11]),
                    Long.parseLong(fields[12]), voluntary);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String group(String kernelName) {
        return kernelName.replaceAll("[-#]?[0-9]+$", "");
    }

    /** Activity from {@code before} to this snapshot by thread group (threads that ended are missing). */
    Map<String, Group> since(ThreadActivity before) {
        Map<String, long[]> sums = new TreeMap<>();
        threads.forEach((tid, now) -> {
            Counters then = before.threads.getOrDefault(tid, new Counters(now.group(), 0, 0, 0));
            long[] s = sums.computeIfAbsent(now.group(), g -> new long[4]);
            s[0]++;
            s[1] += now.userTicks() - then.userTicks();
            s[2] += now.systemTicks() - then.systemTicks();
            s[3] += now.voluntary() - then.voluntary();
        });
        Map<String, Group> out = new TreeMap<>();
        sums.forEach((g, s) -> out.put(g, new Group((int) s[0], s[1] * MICROS_PER_TICK, s[2] * MICROS_PER_TICK, s[3])));
        return out;
    }

    /** Sums groups (of several windows, or all groups of one). */
    static Group sum(Iterable<Group> groups) {
        int threads = 0;
        double user = 0;
        double system = 0;
        double switches = 0;
        for (Group g : groups) {
            threads = Math.max(threads, g.threads());
            user += g.userMicros();
            system += g.systemMicros();
            switches += g.voluntarySwitches();
        }
        return new Group(threads, user, system, switches);
    }
}
