package io.pulse.pool;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A job handler that records each start (with its time) and stop, and, through a {@link Runs} shared
 * by the handlers of a test, which keys ever ran on two handlers at once.
 */
final class RecordingHandler implements JobHandler {

    /** One call of {@code start}. */
    record Start(Job job, long atNanos) {
        String key() {
            return job.key();
        }
    }

    /** Which handlers run each key right now, shared by the handlers of one test. */
    static final class Runs {
        private final Map<String, Set<RecordingHandler>> executing = new ConcurrentHashMap<>();
        final Set<String> overlapped = ConcurrentHashMap.newKeySet();

        void started(String key, RecordingHandler h) {
            executing.compute(key, (k, set) -> {
                Set<RecordingHandler> now = set == null ? ConcurrentHashMap.newKeySet() : set;
                now.add(h);
                if (now.size() > 1) {
                    overlapped.add(k);
                }
                return now;
            });
        }

        void stopped(String key, RecordingHandler h) {
            executing.computeIfPresent(key, (k, set) -> {
                set.remove(h);
                return set.isEmpty() ? null : set;
            });
        }
    }

    final Runs runs;
    final Map<String, Job> running = new ConcurrentHashMap<>();
    final List<Start> starts = new CopyOnWriteArrayList<>();
    final List<String> stops = new CopyOnWriteArrayList<>();

    RecordingHandler(Runs runs) {
        this.runs = runs;
    }

    RecordingHandler() {
        this(new Runs());
    }

    @Override
    public void start(Job job) {
        starts.add(new Start(job, System.nanoTime()));
        running.put(job.key(), job);
        runs.started(job.key(), this);
    }

    @Override
    public void stop(String key) {
        stops.add(key);
        running.remove(key);
        runs.stopped(key, this);
    }

    long startsOf(String key) {
        return starts.stream().filter(s -> s.key().equals(key)).count();
    }
}
