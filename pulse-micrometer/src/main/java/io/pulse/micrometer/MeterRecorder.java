package io.pulse.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pulse.core.KeyLayout;
import io.pulse.core.PulseEventListener;
import java.util.concurrent.TimeUnit;

/**
 * Counts and times Pulse's events into one registry: the event side of {@link PulseMetrics}. Each event
 * looks its meter up in the registry (Micrometer caches the lookup), so meters appear with their first
 * event and carry only the tags README lists; the streams a pool keeps per worker and per node get
 * none. Called on the threads {@link PulseEventListener}
 * describes; thread-safe, never blocks.
 */
final class MeterRecorder implements PulseEventListener {

    private final MeterRegistry registry;
    private final KeyLayout layout;
    private final boolean workerTags;

    MeterRecorder(MeterRegistry registry, KeyLayout layout, boolean workerTags) {
        this.registry = registry;
        this.layout = layout;
        this.workerTags = workerTags;
    }

    /**
     * Whether a stream is one a pool keeps per worker or per node: named after ids that change with
     * every process, such streams would add series forever, and the pool's own meters cover them.
     */
    private boolean perProcess(String stream) {
        return layout.isWorkerStream(stream) || layout.poolOfNodeStream(stream).isPresent();
    }

    @Override
    public void mapWritten(String map, String op, long nanos, String failure) {
        timer("pulse.map.write", "map", map, "op", op, "outcome", outcome(failure)).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void mapResynced(String map, String reason) {
        registry.counter("pulse.map.resyncs", "map", map).increment();
    }

    @Override
    public void mapListenerOverflowed(String map, long dropped) {
        registry.counter("pulse.map.listener.overflows", "map", map).increment();
    }

    @Override
    public void streamAdded(String stream, long nanos) {
        if (perProcess(stream)) {
            return;
        }
        timer("pulse.stream.add", "stream", stream).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void streamRead(String stream, String sink, int count) {
        if (perProcess(stream)) {
            return;
        }
        if (sink.isEmpty()) {
            registry.counter("pulse.reader.events", "stream", stream).increment(count);
        } else {
            registry.counter("pulse.sink.reads", "stream", stream, "sink", sink).increment(count);
        }
    }

    @Override
    public void streamAcked(String stream, String sink, long count) {
        registry.counter("pulse.sink.acks", "stream", stream, "sink", sink).increment(count);
    }

    @Override
    public void streamRedelivered(String stream, String sink, int count) {
        registry.counter("pulse.sink.redeliveries", "stream", stream, "sink", sink).increment(count);
    }

    @Override
    public void streamTrimmed(String stream, long removed) {
        if (perProcess(stream)) {
            return;
        }
        registry.counter("pulse.stream.trimmed", "stream", stream).increment(removed);
    }

    @Override
    public void jobDispatched(String pool, String key, long nanos, String failure) {
        timer("pulse.pool.dispatch", "pool", pool, "outcome", outcome(failure)).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void jobStarted(String pool, String worker, String key, long nanos) {
        Timer timer = workerTags ? timer("pulse.pool.job.start", "pool", pool, "worker", worker)
                : timer("pulse.pool.job.start", "pool", pool);
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void jobStopped(String pool, String worker, String key) {
        registry.counter("pulse.pool.stops", "pool", pool).increment();
    }

    @Override
    public void jobFailed(String pool, String worker, String key, String message) {
        registry.counter("pulse.pool.failures", "pool", pool).increment();
    }

    @Override
    public void jobRequeued(String pool, String key, RequeueReason reason) {
        registry.counter("pulse.pool.requeues", "pool", pool, "reason", reason.name().toLowerCase()).increment();
    }

    @Override
    public void workerEvicted(String pool, String worker) {
        registry.counter("pulse.pool.evictions", "pool", pool).increment();
    }

    @Override
    public void redisDisconnected(ConnectionRole role) {
        registry.counter("pulse.redis.disconnects", "connection", role.name().toLowerCase()).increment();
    }

    @Override
    public void redisReconnected(ConnectionRole role, long downNanos) {
        timer("pulse.redis.downtime", "connection", role.name().toLowerCase()).record(downNanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(String name, String... tags) {
        return registry.timer(name, tags);
    }

    private static String outcome(String failure) {
        return failure.isEmpty() ? "ok" : failure;
    }
}
