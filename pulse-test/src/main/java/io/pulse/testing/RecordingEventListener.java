package io.pulse.testing;

import io.pulse.core.PulseEventListener;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every event it receives, in order, as its method name and arguments, for tests asserting
 * which events a scenario fired and how often. Thread-safe.
 */
public final class RecordingEventListener implements PulseEventListener {

    /** One event: the listener method's name and its arguments. */
    public record Recorded(String kind, List<Object> args) {
        /** The argument at {@code index}. */
        public Object arg(int index) {
            return args.get(index);
        }
    }

    private final List<Recorded> events = new CopyOnWriteArrayList<>();

    private void add(String kind, Object... args) {
        events.add(new Recorded(kind, Arrays.asList(args)));
    }

    /** Every event recorded so far, oldest first. */
    public List<Recorded> all() {
        return List.copyOf(events);
    }

    /** The events of one kind whose first arguments equal {@code leading}. */
    public List<Recorded> of(String kind, Object... leading) {
        return events.stream().filter(e -> e.kind().equals(kind) && startsWith(e.args(), leading)).toList();
    }

    /** How many events of one kind whose first arguments equal {@code leading} were recorded. */
    public int count(String kind, Object... leading) {
        return of(kind, leading).size();
    }

    /** The sum of the integral argument at {@code index} over the events {@link #of} selects. */
    public long sum(int index, String kind, Object... leading) {
        return of(kind, leading).stream().mapToLong(e -> ((Number) e.arg(index)).longValue()).sum();
    }

    /** Forgets everything recorded so far. */
    public void clear() {
        events.clear();
    }

    private static boolean startsWith(List<Object> args, Object[] leading) {
        if (leading.length > args.size()) {
            return false;
        }
        for (int i = 0; i < leading.length; i++) {
            if (!leading[i].equals(args.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void mapJoined(String map) {
        add("mapJoined", map);
    }

    @Override
    public void mapLeft(String map) {
        add("mapLeft", map);
    }

    @Override
    public void mapWritten(String map, String op, long nanos, String failure) {
        add("mapWritten", map, op, failure, nanos);
    }

    @Override
    public void mapResynced(String map, String reason) {
        add("mapResynced", map, reason);
    }

    @Override
    public void mapListenerOverflowed(String map, long dropped) {
        add("mapListenerOverflowed", map, dropped);
    }

    @Override
    public void streamAdded(String stream, long nanos) {
        add("streamAdded", stream, nanos);
    }

    @Override
    public void streamRead(String stream, String sink, int count) {
        add("streamRead", stream, sink, count);
    }

    @Override
    public void streamAcked(String stream, String sink, long count) {
        add("streamAcked", stream, sink, count);
    }

    @Override
    public void streamRedelivered(String stream, String sink, int count) {
        add("streamRedelivered", stream, sink, count);
    }

    @Override
    public void streamTrimmed(String stream, long removed) {
        add("streamTrimmed", stream, removed);
    }

    @Override
    public void sinkJoined(String stream, String sink, String consumer) {
        add("sinkJoined", stream, sink, consumer);
    }

    @Override
    public void sinkLeft(String stream, String sink, String consumer) {
        add("sinkLeft", stream, sink, consumer);
    }

    @Override
    public void nodeJoined(String pool, String node) {
        add("nodeJoined", pool, node);
    }

    @Override
    public void nodeLeft(String pool, String node) {
        add("nodeLeft", pool, node);
    }

    @Override
    public void workerAdded(String pool, String worker) {
        add("workerAdded", pool, worker);
    }

    @Override
    public void workerRemoved(String pool, String worker) {
        add("workerRemoved", pool, worker);
    }

    @Override
    public void workerEvicted(String pool, String worker) {
        add("workerEvicted", pool, worker);
    }

    @Override
    public void jobDispatched(String pool, String key, long nanos, String failure) {
        add("jobDispatched", pool, key, failure, nanos);
    }

    @Override
    public void jobStarted(String pool, String worker, String key, long nanos) {
        add("jobStarted", pool, worker, key, nanos);
    }

    @Override
    public void jobStopped(String pool, String worker, String key) {
        add("jobStopped", pool, worker, key);
    }

    @Override
    public void jobFailed(String pool, String worker, String key, String message) {
        add("jobFailed", pool, worker, key, message);
    }

    @Override
    public void jobRequeued(String pool, String key, RequeueReason reason) {
        add("jobRequeued", pool, key, reason);
    }

    @Override
    public void redisDisconnected(ConnectionRole role) {
        add("redisDisconnected", role);
    }

    @Override
    public void redisReconnected(ConnectionRole role, long downNanos) {
        add("redisReconnected", role, downNanos);
    }
}
