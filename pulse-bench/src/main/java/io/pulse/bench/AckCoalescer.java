package io.pulse.bench;

import io.pulse.streaming.Event;
import io.pulse.streaming.Sink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A sketch of coalesced acknowledgements, to measure what they would gain: events handed to
 * {@link #add} are acknowledged with one {@code Sink.ackAsync} of everything queued, sent by a thread
 * of its own every millisecond, or at once when 1,000 are queued. {@code onAcked} runs once per event
 * when Redis confirmed its batch. Thread-safe.
 */
final class AckCoalescer implements AutoCloseable {

    private static final int FLUSH_AT = 1000;
    private static final long FLUSH_NANOS = 1_000_000;

    private final Sink sink;
    private final Runnable onAcked;
    private final Thread flusher;
    private List<Event> queued = new ArrayList<>(); // guarded by this
    private volatile boolean closed;

    AckCoalescer(Sink sink, Runnable onAcked) {
        this.sink = sink;
        this.onAcked = onAcked;
        this.flusher = new Thread(this::run, "bench-ack-coalescer");
        flusher.setDaemon(true);
        flusher.start();
    }

    void add(Event event) {
        boolean full;
        synchronized (this) {
            queued.add(event);
            full = queued.size() >= FLUSH_AT;
        }
        if (full) {
            LockSupport.unpark(flusher);
        }
    }

    private void run() {
        while (!closed) {
            LockSupport.parkNanos(FLUSH_NANOS);
            List<Event> batch;
            synchronized (this) {
                if (queued.isEmpty()) {
                    continue;
                }
                batch = queued;
                queued = new ArrayList<>();
            }
            sink.ackAsync(batch).whenComplete((n, e) -> batch.forEach(x -> onAcked.run()));
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(flusher);
    }
}
