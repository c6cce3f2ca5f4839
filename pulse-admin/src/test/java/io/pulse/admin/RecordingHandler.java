package io.pulse.admin;

import io.pulse.pool.Job;
import io.pulse.pool.JobHandler;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A job handler that records what it was asked to do; thread-safe. */
final class RecordingHandler implements JobHandler {

    final Set<String> running = ConcurrentHashMap.newKeySet();
    final List<String> started = new CopyOnWriteArrayList<>();
    final List<String> stopped = new CopyOnWriteArrayList<>();

    @Override
    public void start(Job job) {
        started.add(job.key());
        running.add(job.key());
    }

    @Override
    public void stop(String key) {
        stopped.add(key);
        running.remove(key);
    }
}
