package io.pulse.micrometer;

import io.lettuce.core.KeyValue;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.pulse.core.KeyLayout;
import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.core.PulseEventListener;
import io.pulse.core.PulseRedis;
import io.pulse.rmap.internal.ListValues;
import io.pulse.rmap.internal.MapProtocol;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The gauges of the components this process opened, read from Redis through {@link CachedRead}s: they
 * appear when a map is joined, a sink instance starts on a stream or a node joins a pool, and they go,
 * with every other meter of that component, when the last such handle of the process closes. Called on
 * the threads {@link PulseEventListener} describes; registration is under this object's lock, which no
 * scrape takes.
 */
final class ComponentGauges implements PulseEventListener {

    private final PulseRedis redis;
    private final KeyLayout layout;
    private final MeterRegistry registry;
    private final Duration refresh;
    private final Duration timeout;
    private final boolean workerTags;
    /** How many open handles of this process each component has, by its tags. */
    private final Map<List<Tag>, Integer> open = new HashMap<>(); // guarded by this
    /** The jobs-map reading of each pool a node of this process joined, for per-worker gauges. */
    private final Map<String, CachedRead<Map<String, Integer>>> jobReads = new HashMap<>(); // guarded by this

    ComponentGauges(PulseRedis redis, MeterRegistry registry, Duration refresh, Duration timeout, boolean workerTags) {
        this.redis = redis;
        this.layout = redis.layout();
        this.registry = registry;
        this.refresh = refresh;
        this.timeout = timeout;
        this.workerTags = workerTags;
    }

    // ---------------------------------------------------------------- maps

    @Override
    public void mapJoined(String map) {
        List<Tag> tags = List.of(Tag.of("map", map));
        if (opened(tags)) {
            gauge("pulse.map.size", tags, mapSize(map), Long::doubleValue);
        }
    }

    @Override
    public void mapLeft(String map) {
        closed(List.of(Tag.of("map", map)));
    }

    // ---------------------------------------------------------------- sinks

    @Override
    public void sinkJoined(String stream, String sink, String consumer) {
        List<Tag> tags = List.of(Tag.of("stream", stream), Tag.of("sink", sink));
        if (opened(tags)) {
            CachedRead<Map<String, long[]>> groups = groupsOf(layout.streamKey(stream));
            gauge("pulse.sink.pending", tags, groups, g -> field(g, sink, 0));
            gauge("pulse.sink.lag", tags, groups, g -> field(g, sink, 1));
        }
    }

    @Override
    public void sinkLeft(String stream, String sink, String consumer) {
        closed(List.of(Tag.of("stream", stream), Tag.of("sink", sink)));
    }

    // ---------------------------------------------------------------- pools

    @Override
    public void nodeJoined(String pool, String node) {
        List<Tag> tags = List.of(Tag.of("pool", pool));
        if (!opened(tags)) {
            return;
        }
        String router = layout.poolSinkName();
        CachedRead<Map<String, long[]>> groups = groupsOf(layout.streamKey(layout.poolStream(pool)));
        gauge("pulse.pool.pending", tags, groups, g -> field(g, router, 0));
        gauge("pulse.pool.lag", tags, groups, g -> field(g, router, 1));
        gauge("pulse.pool.workers", tags, mapSize(layout.poolMap(pool, PoolMap.WORKER_KEEPALIVE)), Long::doubleValue);
        gauge("pulse.pool.nodes", tags, mapSize(layout.poolMap(pool, PoolMap.NODE_KEEPALIVE)), Long::doubleValue);
        byte[] jobs = bytes(layout.mapContentKey(layout.poolMap(pool, PoolMap.JOBS)));
        CachedRead<Map<String, Integer>> jobsByWorker = read("pool " + pool + " jobs",
                () -> redis.rawCommand(c -> c.hgetall(jobs)).thenApply(ComponentGauges::jobCounts));
        gauge("pulse.pool.jobs", tags, jobsByWorker,
                m -> m.values().stream().mapToInt(Integer::intValue).sum());
        synchronized (this) {
            jobReads.put(pool, jobsByWorker);
        }
    }

    @Override
    public void nodeLeft(String pool, String node) {
        if (closed(List.of(Tag.of("pool", pool)))) {
            synchronized (this) {
                jobReads.remove(pool);
            }
        }
    }

    @Override
    public void workerAdded(String pool, String worker) {
        if (!workerTags) {
            return;
        }
        List<Tag> tags = List.of(Tag.of("pool", pool), Tag.of("worker", worker));
        CachedRead<Map<String, Integer>> jobs;
        synchronized (this) {
            jobs = jobReads.get(pool);
        }
        if (jobs != null && opened(tags)) {
            gauge("pulse.pool.worker.jobs", tags, jobs, m -> m.getOrDefault(worker, 0));
        }
    }

    @Override
    public void workerRemoved(String pool, String worker) {
        if (workerTags) {
            closed(List.of(Tag.of("pool", pool), Tag.of("worker", worker)));
        }
    }

    // ---------------------------------------------------------------- bookkeeping

    /** Counts one more open handle of the component; returns whether it is the first. */
    private synchronized boolean opened(List<Tag> component) {
        return open.merge(component, 1, Integer::sum) == 1;
    }

    /**
     * Counts one handle of the component closed; when it was the last, removes every meter carrying
     * all of the component's tags (its gauges, counters and timers). Returns whether it was the last.
     */
    private boolean closed(List<Tag> component) {
        synchronized (this) {
            Integer n = open.get(component);
            if (n == null) {
                return false;
            }
            if (n > 1) {
                open.put(component, n - 1);
                return false;
            }
            open.remove(component);
        }
        removeMeters(registry, component);
        return true;
    }

    /** Removes from {@code registry} every Pulse meter that carries all of {@code tags}. */
    static void removeMeters(MeterRegistry registry, List<Tag> tags) {
        List<Meter> gone = new ArrayList<>();
        for (Meter meter : registry.getMeters()) {
            Meter.Id id = meter.getId();
            if (id.getName().startsWith("pulse.") && tags.stream().allMatch(t -> t.getValue().equals(id.getTag(t.getKey())))) {
                gone.add(meter);
            }
        }
        gone.forEach(registry::remove);
    }

    /** Removes every gauge and forgets every component (the binder closes). */
    synchronized void clear() {
        open.clear();
        jobReads.clear();
    }

    private <T> void gauge(String name, List<Tag> tags, CachedRead<T> read, ToDoubleFunction<T> value) {
        Gauge.builder(name, read, r -> {
            T v = r.get();
            return v == null ? Double.NaN : value.applyAsDouble(v);
        }).tags(tags).strongReference(true).register(registry);
    }

    private <T> CachedRead<T> read(String what, Supplier<CompletableFuture<T>> read) {
        return new CachedRead<>(what, read, refresh, timeout);
    }

    /** The number of keys of a replicated map: its hash's fields but Pulse's own. */
    private CachedRead<Long> mapSize(String map) {
        byte[] key = bytes(layout.mapContentKey(map));
        return read("size of map " + map, () -> redis.rawCommand(c -> c.hlen(key))
                .thenCombine(redis.rawCommand(c -> c.hmget(key, RESERVED_FIELDS)),
                        (n, reserved) -> n - reserved.stream().filter(KeyValue::hasValue).count()));
    }

    /** XINFO GROUPS of a stream: each group's pending count and lag (-1 where Redis does not know it). */
    private CachedRead<Map<String, long[]>> groupsOf(String streamKey) {
        byte[] key = bytes(streamKey);
        return read("groups of " + streamKey,
                () -> redis.rawCommand(c -> c.xinfoGroups(key)).thenApply(StreamGroups::parse));
    }

    private static double field(Map<String, long[]> groups, String group, int index) {
        long[] values = groups.get(group);
        return values == null || values[index] < 0 ? Double.NaN : values[index];
    }

    private static Map<String, Integer> jobCounts(Map<byte[], byte[]> hash) {
        Map<String, Integer> counts = new HashMap<>();
        hash.forEach((field, value) -> {
            String worker = new String(field, StandardCharsets.UTF_8);
            if (!MapProtocol.isReservedField(worker)) {
                counts.put(worker, ListValues.parse(new String(value, StandardCharsets.UTF_8)).size());
            }
        });
        return counts;
    }

    private static final byte[][] RESERVED_FIELDS = {bytes(MapProtocol.REVISION_FIELD), bytes(MapProtocol.KIND_FIELD)};

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
