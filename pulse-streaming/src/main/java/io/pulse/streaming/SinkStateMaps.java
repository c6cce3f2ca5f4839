package io.pulse.streaming;

import io.pulse.core.KeyLayout;
import io.pulse.core.PulseRedis;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.rmap.internal.StateMaps;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replicated maps one sink instance keeps its state in, named by the layout: per stream the
 * registry of the sink's consumers, and the keep-alive maps of its consumers. A layout may give every
 * stream of a sink the same keep-alive map (Go Pulse's does), so one is joined per distinct name and
 * kept until the instance closes. Thread-safe; joining blocks.
 */
final class SinkStateMaps implements AutoCloseable {

    private final String sink;
    private final PulseRedis redis;
    private final KeyLayout layout;
    private final Map<String, ReplicatedMap> registries = new ConcurrentHashMap<>(); // by stream
    private final Map<String, ReplicatedMap> keepAliveMaps = new ConcurrentHashMap<>(); // by map name

    SinkStateMaps(String sink, PulseRedis redis, KeyLayout layout) {
        this.sink = sink;
        this.redis = redis;
        this.layout = layout;
    }

    /**
     * Joins the keep-alive map (unless joined already) and the registry of {@code stream}; returns the
     * keep-alive map if it was joined now, {@code null} otherwise. On failure nothing stays joined.
     */
    synchronized ReplicatedMap attach(String stream) {
        String keepAliveName = layout.sinkKeepAliveMap(stream, sink);
        ReplicatedMap joined = null;
        if (!keepAliveMaps.containsKey(keepAliveName)) {
            joined = StateMaps.join(keepAliveName, redis);
        }
        try {
            registries.put(stream, StateMaps.join(layout.sinkRegistryMap(stream), redis));
        } catch (RuntimeException e) {
            if (joined != null) {
                joined.close();
            }
            throw e;
        }
        if (joined != null) {
            keepAliveMaps.put(keepAliveName, joined);
        }
        return joined;
    }

    /** Forgets the registry of {@code stream} and returns it (the caller closes it), or {@code null}. */
    ReplicatedMap detach(String stream) {
        return registries.remove(stream);
    }

    /** The registry of {@code stream}, or {@code null} if the instance does not consume it. */
    ReplicatedMap registry(String stream) {
        return registries.get(stream);
    }

    Collection<ReplicatedMap> registries() {
        return registries.values();
    }

    /** The keep-alive map of the consumers of {@code stream}, or {@code null} if none was joined for it. */
    ReplicatedMap keepAlives(String stream) {
        return keepAliveMaps.get(layout.sinkKeepAliveMap(stream, sink));
    }

    Collection<ReplicatedMap> keepAliveMaps() {
        return keepAliveMaps.values();
    }

    @Override
    public synchronized void close() {
        List<ReplicatedMap> all = new ArrayList<>(registries.values());
        all.addAll(keepAliveMaps.values());
        all.forEach(ReplicatedMap::close);
    }
}
