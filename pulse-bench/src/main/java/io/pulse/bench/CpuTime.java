package io.pulse.bench;

import io.lettuce.core.api.sync.RedisCommands;
import java.lang.management.ManagementFactory;

/**
 * CPU time used so far by the Redis server ({@code INFO cpu}: user + system, main thread and
 * background threads together) and by this JVM, to tell per operation how much of a core each side
 * burned. Both include whatever else ran meanwhile on that server or in this process.
 */
final class CpuTime {

    private CpuTime() {
    }

    /** Seconds of CPU the Redis server used since it started. */
    static double redisSeconds(RedisCommands<String, String> commands) {
        double total = 0;
        for (String line : commands.info("cpu").split("\r?\n")) {
            if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
                total += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return total;
    }

    /** Seconds of CPU this JVM used since it started, or NaN where the platform does not say. */
    static double processSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            return nanos < 0 ? Double.NaN : nanos / 1e9;
        }
        return Double.NaN;
    }
}
