package io.pulse.core;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The {@link KeyLayout} for Redis Cluster: every key of one replicated map, of one stream (its sinks'
 * state included) and of one worker pool (each of its maps and streams) carries the same hash tag, so
 * each lives in one hash slot and every script and multi-key command Pulse runs on it is single-slot,
 * while different maps, streams and pools spread over the shards. Map updates go over sharded pub/sub
 * ({@link #shardedPubSub()}). Stateless and thread-safe. Java only: Go Pulse does not understand it.
 *
 * <p>A name's hash tag is the name itself in braces ({@code users} -> {@code {users}}), unless the
 * name already holds a valid tag ({@code orders{eu}} keeps {@code {eu}}, which lets a user put several
 * maps or streams in one slot on purpose). So the names {@code a} and {@code {a}} are the same map,
 * stream or pool in this layout (and {@code }a} and {@code ~}a}, whose tag is {@code ~}a}).
 *
 * <table>
 *   <caption>Names ({@code T(x)}: the tagged form of {@code x})</caption>
 *   <tr><td>map content / updates</td><td>{@code map:T(map):content}, sharded channel {@code map:T(map):updates}</td></tr>
 *   <tr><td>stream</td><td>{@code pulse:stream:T(stream)}</td></tr>
 *   <tr><td>sink registry, keep-alives, lease</td><td>maps {@code stream:T(stream):sinks},
 *       {@code stream:T(stream):sink:<sink>:keepalive}, key {@code stream:T(stream):sink:<sink>:stalelease}
 *       (per stream, in the stream's slot)</td></tr>
 *   <tr><td>pool maps</td><td>{@code T(pool):shutdown}, {@code T(pool):node-keepalive}, {@code T(pool):workers},
 *       {@code T(pool):worker-keepalive}, {@code T(pool):cleanup}, {@code T(pool):jobs},
 *       {@code T(pool):job-payloads}, {@code T(pool):pending-jobs}, {@code T(pool):tickers},
 *       {@code T(pool):keepalive-ttl}</td></tr>
 *   <tr><td>pool streams</td><td>{@code T(pool):pool} (sink {@code events}), {@code T(pool):node:<node>},
 *       {@code T(pool):worker:<worker>}</td></tr>
 *   <tr><td>schedule map, ticker field</td><td>{@code T(pool):<schedule>}, {@code <pool>:<ticker>}</td></tr>
 *   <tr><td>pool incarnation</td><td>{@code pulse:pool:T(pool):incarnation}</td></tr>
 * </table>
 * A pool map or stream name is itself a map or stream name holding a tag, so its Redis key keeps it:
 * pool {@code email}'s workers map is the hash {@code map:{email}:workers:content}.
 */
public final class ClusterLayout implements KeyLayout {

    private static final String MAP_PREFIX = "map:";
    private static final String CONTENT_SUFFIX = ":content";
    private static final String STREAM_PREFIX = "pulse:stream:";
    private static final String REGISTRY_PREFIX = "stream:";
    private static final String REGISTRY_SUFFIX = ":sinks";
    private static final String SINK_INFIX = ":sink:";
    private static final String KEEPALIVE_SUFFIX = ":keepalive";
    private static final String POOL_STREAM_SUFFIX = ":pool";
    private static final String NODE_STREAM_INFIX = ":node:";
    private static final String WORKER_STREAM_INFIX = ":worker:";

    /** Pool map kind -> the suffix of its name ({@code T(pool):<suffix>}), and back. */
    private static final Map<PoolMap, String> SUFFIXES = Map.of(
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
    private static final Map<String, PoolMap> KINDS = SUFFIXES.entrySet().stream()
            .collect(Collectors.toUnmodifiableMap(Map.Entry::getValue, Map.Entry::getKey));
    /** What a schedule may not be named: its map {@code T(pool):<schedule>} would look like a pool map or stream. */
    private static final Set<String> RESERVED_SCHEDULES = Stream.concat(SUFFIXES.values().stream(), Stream.of("pool"))
            .collect(Collectors.toUnmodifiableSet());

    /** The layout; one instance may be shared by every {@link PulseRedis}. */
    public ClusterLayout() {
    }

    /**
     * {@code name} in the form whose hash tag decides the slot: as is if it holds a valid tag (a
     * {@code {} followed, after at least one character, by a {@code }}), else in braces. A name that
     * starts with {@code }} gets a {@code ~} first inside the braces, since {@code {}...} would be an
     * empty tag, which Redis ignores (it would hash each whole key to a slot of its own).
     */
    static String tagged(String name) {
        int open = name.indexOf('{');
        if (open >= 0) {
            int close = name.indexOf('}', open + 1);
            if (close > open + 1) {
                return name;
            }
        }
        return name.startsWith("}") ? "{~" + name + "}" : "{" + name + "}";
    }

    /** The name whose {@link #tagged} form is {@code tagged}, if it is one. */
    private static Optional<String> untagged(String tagged) {
        if (tagged.isEmpty()) {
            return Optional.empty();
        }
        if (tagged.length() > 2 && tagged.charAt(0) == '{' && tagged.charAt(tagged.length() - 1) == '}') {
            String inner = tagged.substring(1, tagged.length() - 1);
            if (inner.startsWith("~}") && tagged(inner.substring(1)).equals(tagged)) {
                return Optional.of(inner.substring(1));
            }
            if (tagged(inner).equals(tagged)) {
                return Optional.of(inner);
            }
        }
        return tagged(tagged).equals(tagged) ? Optional.of(tagged) : Optional.empty();
    }

    @Override
    public boolean shardedPubSub() {
        return true;
    }

    @Override
    public String mapContentKey(String map) {
        return MAP_PREFIX + tagged(map) + CONTENT_SUFFIX;
    }

    @Override
    public String mapUpdatesChannel(String map) {
        return MAP_PREFIX + tagged(map) + ":updates";
    }

    @Override
    public boolean isReservedMapName(String map) {
        return isStreamStateMap(map) || poolMapOf(map).isPresent();
    }

    @Override
    public String streamKey(String stream) {
        return STREAM_PREFIX + tagged(stream);
    }

    @Override
    public String streamName(String streamKey) {
        return streamOfKey(streamKey).orElse(streamKey);
    }

    @Override
    public String sinkRegistryMap(String stream) {
        return REGISTRY_PREFIX + tagged(stream) + REGISTRY_SUFFIX;
    }

    @Override
    public String sinkKeepAliveMap(String stream, String sink) {
        return REGISTRY_PREFIX + tagged(stream) + SINK_INFIX + sink + KEEPALIVE_SUFFIX;
    }

    @Override
    public String sinkLeaseKey(String stream, String sink) {
        return REGISTRY_PREFIX + tagged(stream) + SINK_INFIX + sink + ":stalelease";
    }

    @Override
    public String poolMap(String pool, PoolMap map) {
        return tagged(pool) + ":" + SUFFIXES.get(Objects.requireNonNull(map, "map"));
    }

    @Override
    public String poolStream(String pool) {
        return tagged(pool) + POOL_STREAM_SUFFIX;
    }

    @Override
    public String poolSinkName() {
        return "events";
    }

    @Override
    public String nodeStream(String pool, String node) {
        return tagged(pool) + NODE_STREAM_INFIX + node;
    }

    @Override
    public String workerStream(String pool, String worker) {
        return tagged(pool) + WORKER_STREAM_INFIX + worker;
    }

    @Override
    public String scheduleMap(String pool, String schedule) {
        return tagged(pool) + ":" + schedule;
    }

    @Override
    public String tickerField(String pool, String ticker) {
        return pool + ":" + ticker;
    }

    @Override
    public String poolIncarnationKey(String pool) {
        return "pulse:pool:" + tagged(pool) + ":incarnation";
    }

    @Override
    public boolean isReservedScheduleName(String schedule) {
        return RESERVED_SCHEDULES.contains(schedule) || schedule.startsWith(NODE_STREAM_INFIX.substring(1))
                || schedule.startsWith(WORKER_STREAM_INFIX.substring(1));
    }

    @Override
    public String mapContentKeyPattern() {
        return MAP_PREFIX + "*" + CONTENT_SUFFIX;
    }

    @Override
    public Optional<String> mapOfContentKey(String key) {
        if (key.startsWith(MAP_PREFIX) && key.endsWith(CONTENT_SUFFIX)
                && key.length() > MAP_PREFIX.length() + CONTENT_SUFFIX.length()) {
            return untagged(key.substring(MAP_PREFIX.length(), key.length() - CONTENT_SUFFIX.length()));
        }
        return Optional.empty();
    }

    @Override
    public String streamKeyPattern() {
        return STREAM_PREFIX + "*";
    }

    @Override
    public Optional<String> streamOfKey(String key) {
        return key.startsWith(STREAM_PREFIX) ? untagged(key.substring(STREAM_PREFIX.length())) : Optional.empty();
    }

    @Override
    public boolean isStreamStateMap(String map) {
        if (!map.startsWith(REGISTRY_PREFIX)) {
            return false;
        }
        return map.endsWith(REGISTRY_SUFFIX) || (map.endsWith(KEEPALIVE_SUFFIX) && map.contains(SINK_INFIX));
    }

    @Override
    public Optional<PoolMapName> poolMapOf(String map) {
        int colon = map.lastIndexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        PoolMap kind = KINDS.get(map.substring(colon + 1));
        return kind == null ? Optional.empty() : poolOfPrefix(map.substring(0, colon)).map(p -> new PoolMapName(p, kind));
    }

    /** The pool whose tagged name is {@code prefix}, if it is one. */
    private static Optional<String> poolOfPrefix(String prefix) {
        return untagged(prefix).filter(pool -> tagged(pool).equals(prefix));
    }

    @Override
    public Optional<String> poolOfPoolStream(String stream) {
        return stream.endsWith(POOL_STREAM_SUFFIX)
                ? poolOfPrefix(stream.substring(0, stream.length() - POOL_STREAM_SUFFIX.length())) : Optional.empty();
    }

    @Override
    public Optional<String> poolOfNodeStream(String stream) {
        int infix = stream.lastIndexOf(NODE_STREAM_INFIX);
        return infix > 0 ? poolOfPrefix(stream.substring(0, infix)) : Optional.empty();
    }

    @Override
    public boolean isWorkerStream(String stream) {
        int infix = stream.lastIndexOf(WORKER_STREAM_INFIX);
        return infix > 0 && poolOfPrefix(stream.substring(0, infix)).isPresent();
    }

    @Override
    public Optional<String> tickerOfField(String pool, String field) {
        String prefix = pool + ":";
        return field.startsWith(prefix) ? Optional.of(field.substring(prefix.length())) : Optional.empty();
    }

    @Override
    public String toString() {
        return "ClusterLayout";
    }
}
