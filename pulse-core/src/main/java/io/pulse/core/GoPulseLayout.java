package io.pulse.core;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Go Pulse v1.6.5's Redis layout, the default {@link KeyLayout}: a Java process and a Go process using
 * it share one map, stream or pool. Stateless and thread-safe.
 *
 * <table>
 *   <caption>Names</caption>
 *   <tr><td>map content / updates</td><td>{@code map:<map>:content}, {@code map:<map>:updates}</td></tr>
 *   <tr><td>stream</td><td>{@code pulse:stream:<stream>}</td></tr>
 *   <tr><td>sink registry, keep-alives, lease</td><td>maps {@code stream:<stream>:sinks},
 *       {@code sink:<sink>:keepalive}, key {@code sink:<sink>:stalelease} (keyed by sink name only, so
 *       a sink's streams share them)</td></tr>
 *   <tr><td>pool maps</td><td>{@code <pool>:shutdown}, {@code <pool>:node-keepalive}, {@code <pool>:workers},
 *       {@code <pool>:worker-keepalive}, {@code <pool>:cleanup}, {@code <pool>:jobs},
 *       {@code <pool>:job-payloads}, {@code <pool>:pending-jobs}, {@code <pool>:tickers},
 *       {@code <pool>:keepalive-ttl} (Java only)</td></tr>
 *   <tr><td>pool streams</td><td>{@code <pool>:pool} (sink {@code events}), {@code <pool>:node:<node>},
 *       {@code worker:<worker>} (not namespaced by pool)</td></tr>
 *   <tr><td>schedule map, ticker field</td><td>{@code <pool>:<schedule>}, {@code <pool>:<ticker>}</td></tr>
 *   <tr><td>pool incarnation (Java only)</td><td>{@code pulse:pool:<pool>:incarnation}</td></tr>
 * </table>
 */
public final class GoPulseLayout implements KeyLayout {

    static final String MAP_PREFIX = "map:";
    static final String CONTENT_SUFFIX = ":content";
    static final String STREAM_PREFIX = "pulse:stream:";
    static final String REGISTRY_PREFIX = "stream:";
    static final String REGISTRY_SUFFIX = ":sinks";
    private static final String SINK_PREFIX = "sink:";
    static final String KEEPALIVE_SUFFIX = ":keepalive";
    static final String POOL_STREAM_SUFFIX = ":pool";
    static final String NODE_STREAM_INFIX = ":node:";
    private static final String WORKER_STREAM_PREFIX = "worker:";
    private static final String NODE_STREAM_PREFIX = "node:";

    /** Pool map kind -> the suffix of its name ({@code <pool>:<suffix>}), and back. */
    static final Map<PoolMap, String> SUFFIXES = Map.of(
            PoolMap.SHUTDOWN, "shutdown",
            PoolMap.NODE_KEEPALIVE, "node-keepalive",
            PoolMap.WORKERS, "workers",
            PoolMap.WORKER_KEEPALIVE, "worker-keepalive",
            PoolMap.CLEANUP, "cleanup",
            PoolMap.JOBS, "jobs",
            PoolMap.JOB_PAYLOADS, "job-payloads",
            PoolMap.PENDING_JOBS, "pending-jobs",
            PoolMap.TICKERS, "tickers",
            PoolMap.KEEPALIVE_TTL, "keepalive-ttl");
    static final Map<String, PoolMap> KINDS = SUFFIXES.entrySet().stream()
            .collect(Collectors.toUnmodifiableMap(Map.Entry::getValue, Map.Entry::getKey));
    /** What a schedule may not be named: its map {@code <pool>:<schedule>} would be a pool map or stream. */
    static final Set<String> RESERVED_SCHEDULES = Stream.concat(SUFFIXES.values().stream(), Stream.of("pool"))
            .collect(Collectors.toUnmodifiableSet());

    /** The layout; one instance may be shared by every {@link PulseRedis}. */
    public GoPulseLayout() {
    }

    @Override
    public String mapContentKey(String map) {
        return MAP_PREFIX + map + CONTENT_SUFFIX;
    }

    @Override
    public String mapUpdatesChannel(String map) {
        return MAP_PREFIX + map + ":updates";
    }

    @Override
    public boolean isReservedMapName(String map) {
        return isStreamStateMap(map) || poolMapOf(map).isPresent();
    }

    @Override
    public String streamKey(String stream) {
        return STREAM_PREFIX + stream;
    }

    @Override
    public String streamName(String streamKey) {
        return streamKey.startsWith(STREAM_PREFIX) ? streamKey.substring(STREAM_PREFIX.length()) : streamKey;
    }

    @Override
    public String sinkRegistryMap(String stream) {
        return REGISTRY_PREFIX + stream + REGISTRY_SUFFIX;
    }

    @Override
    public String sinkKeepAliveMap(String stream, String sink) {
        return SINK_PREFIX + sink + KEEPALIVE_SUFFIX;
    }

    @Override
    public String sinkLeaseKey(String stream, String sink) {
        return SINK_PREFIX + sink + ":stalelease";
    }

    @Override
    public String poolMap(String pool, PoolMap map) {
        return pool + ":" + SUFFIXES.get(Objects.requireNonNull(map, "map"));
    }

    @Override
    public String poolStream(String pool) {
        return pool + POOL_STREAM_SUFFIX;
    }

    @Override
    public String poolSinkName() {
        return "events";
    }

    @Override
    public String nodeStream(String pool, String node) {
        return pool + NODE_STREAM_INFIX + node;
    }

    @Override
    public String workerStream(String pool, String worker) {
        return WORKER_STREAM_PREFIX + worker;
    }

    @Override
    public String scheduleMap(String pool, String schedule) {
        return pool + ":" + schedule;
    }

    @Override
    public String tickerField(String pool, String ticker) {
        return pool + ":" + ticker;
    }

    @Override
    public String poolIncarnationKey(String pool) {
        return "pulse:pool:" + pool + ":incarnation";
    }

    @Override
    public boolean isReservedScheduleName(String schedule) {
        return RESERVED_SCHEDULES.contains(schedule) || schedule.startsWith(NODE_STREAM_PREFIX);
    }

    @Override
    public String mapContentKeyPattern() {
        return MAP_PREFIX + "*" + CONTENT_SUFFIX;
    }

    @Override
    public Optional<String> mapOfContentKey(String key) {
        if (key.startsWith(MAP_PREFIX) && key.endsWith(CONTENT_SUFFIX)
                && key.length() > MAP_PREFIX.length() + CONTENT_SUFFIX.length()) {
            return Optional.of(key.substring(MAP_PREFIX.length(), key.length() - CONTENT_SUFFIX.length()));
        }
        return Optional.empty();
    }

    @Override
    public String streamKeyPattern() {
        return STREAM_PREFIX + "*";
    }

    @Override
    public Optional<String> streamOfKey(String key) {
        return key.startsWith(STREAM_PREFIX) && key.length() > STREAM_PREFIX.length()
                ? Optional.of(key.substring(STREAM_PREFIX.length())) : Optional.empty();
    }

    @Override
    public boolean isStreamStateMap(String map) {
        return (map.startsWith(REGISTRY_PREFIX) && map.endsWith(REGISTRY_SUFFIX))
                || (map.startsWith(SINK_PREFIX) && map.endsWith(KEEPALIVE_SUFFIX));
    }

    @Override
    public Optional<PoolMapName> poolMapOf(String map) {
        int colon = map.lastIndexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        PoolMap kind = KINDS.get(map.substring(colon + 1));
        return kind == null ? Optional.empty() : Optional.of(new PoolMapName(map.substring(0, colon), kind));
    }

    @Override
    public Optional<String> poolOfPoolStream(String stream) {
        return stream.endsWith(POOL_STREAM_SUFFIX) && stream.length() > POOL_STREAM_SUFFIX.length()
                ? Optional.of(stream.substring(0, stream.length() - POOL_STREAM_SUFFIX.length())) : Optional.empty();
    }

    @Override
    public Optional<String> poolOfNodeStream(String stream) {
        int infix = stream.lastIndexOf(NODE_STREAM_INFIX);
        return infix > 0 ? Optional.of(stream.substring(0, infix)) : Optional.empty();
    }

    @Override
    public boolean isWorkerStream(String stream) {
        return stream.startsWith(WORKER_STREAM_PREFIX);
    }

    @Override
    public Optional<String> tickerOfField(String pool, String field) {
        String prefix = pool + ":";
        return field.startsWith(prefix) ? Optional.of(field.substring(prefix.length())) : Optional.empty();
    }

    @Override
    public String toString() {
        return "GoPulseLayout";
    }
}
