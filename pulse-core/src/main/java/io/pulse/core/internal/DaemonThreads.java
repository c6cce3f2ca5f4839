package io.pulse.core.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factory for Pulse's own threads: daemon threads named {@code pulse-<what>-<name>} (with a
 * counter when the factory makes more than one), so a thread dump says which component owns which
 * thread. Thread-safe.
 */
public final class DaemonThreads implements ThreadFactory {

    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();

    private DaemonThreads(String prefix) {
        this.prefix = prefix;
    }

    /** Returns a factory naming threads {@code pulse-<what>-<name>}. */
    public static DaemonThreads named(String what, String name) {
        return new DaemonThreads("pulse-" + what + (name == null || name.isEmpty() ? "" : "-" + name));
    }

    @Override
    public Thread newThread(Runnable task) {
        int n = count.incrementAndGet();
        Thread t = new Thread(task, n == 1 ? prefix : prefix + "-" + n);
        t.setDaemon(true);
        return t;
    }
}
