package io.pulse.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The workers a node hosts, by id. Thread-safe. */
final class LocalWorkers {

    private final Map<String, Worker> workers = new ConcurrentHashMap<>();

    void add(Worker worker) {
        workers.put(worker.id(), worker);
    }

    /** Removes {@code worker}; returns whether it was here (so that of two removals one acts). */
    boolean remove(Worker worker) {
        return workers.remove(worker.id()) != null;
    }

    /** A copy of the workers, in no particular order. */
    List<Worker> list() {
        return new ArrayList<>(workers.values());
    }
}
