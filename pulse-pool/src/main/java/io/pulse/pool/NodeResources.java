package io.pulse.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;

/**
 * What a node opened and must release when it leaves: maps, readers, sinks, subscriptions, and its
 * periodic tasks. Thread-safe.
 */
final class NodeResources {

    private final Logger log;
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    private final List<ScheduledFuture<?>> tasks = new CopyOnWriteArrayList<>();

    NodeResources(Logger log) {
        this.log = log;
    }

    /** Keeps {@code resource} to close when the node leaves; returns it. */
    <T extends AutoCloseable> T add(T resource) {
        resources.add(resource);
        return resource;
    }

    void addTask(ScheduledFuture<?> task) {
        tasks.add(task);
    }

    /** Stops the periodic tasks (a run in progress finishes). */
    void cancelTasks() {
        tasks.forEach(t -> t.cancel(false));
    }

    /** Closes every resource, the last added first; failures are logged. Idempotent. */
    void close() {
        List<AutoCloseable> all = new ArrayList<>(resources);
        resources.clear();
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                all.get(i).close();
            } catch (Exception e) {
                log.atDebug().setCause(e).log("closing a node resource failed");
            }
        }
    }
}
