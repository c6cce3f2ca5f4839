package io.pulse.core;

import java.util.Objects;
import java.util.Optional;

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

    // the prefixes, suffixes and pool map kinds are Go Pulse's; only the tagging differs
    private static final String MAP_PREFIX = GoPulseLayout.MAP_PREFIX;
    private static final String CONTENT_SUFFIX = GoPulseLayout.CONTENT_SUFFIX;
    private static final String STREAM_PREFIX = GoPulseLayout.STREAM_PREFIX;
    private static final String REGISTRY_PREFIX = GoPulseLayout.REGISTRY_PREFIX;
    private static final String REGISTRY_SUFFIX = GoPulseLayout.REGISTRY_SUFFIX;
    private static final String KEEPALIVE_SUFFIX = GoPulseLayout.KEEPALIVE_SUFFIX;
    private static final String POOL_STREAM_SUFFIX = GoPulseLayout.POOL_STREAM_SUFFIX;
    private static final String NODE_STREAM_INFIX = GoPulseLayout.NODE_STREAM_INFIX;
    private static final String SINK_INFIX = ":sink:";
    /** Go Pulse's layout, whose names this one wraps around tagged names. */
    private static final GoPulseLayout UNTAGGED = new GoPulseLayout();
    private static final String WORKER_STREAM_INFIX = ":worker:";

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
        return tagged(pool) + ":" + GoPulseLayout.SUFFIXES.get(Objects.requireNonNull(map, "map"));
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
        // a field of the tickers map, not a key: Go Pulse's form
        return UNTAGGED.tickerField(pool, ticker);
    }

    @Override
    public String poolIncarnationKey(String pool) {
        return "pulse:pool:" + tagged(pool) + ":incarnation";
    }

    @Override
    public boolean isReservedScheduleName(String schedule) {
        return GoPulseLayout.RESERVED_SCHEDULES.contains(schedule) || schedule.startsWith(NODE_STREAM_INFIX.substring(1))
                || schedule.startsWith(WORKER_STREAM_INFIX.substring(1));
    }

    @Override
    public String mapContentKeyPattern() {
        return UNTAGGED.mapContentKeyPattern();
    }

    @Override
    public Optional<String> mapOfContentKey(String key) {
        return UNTAGGED.mapOfContentKey(key).flatMap(ClusterLayout::untagged);
    }

    @Override
    public String streamKeyPattern() {
        return UNTAGGED.streamKeyPattern();
    }

    @Override
    public Optional<String> streamOfKey(String key) {
        return UNTAGGED.streamOfKey(key).flatMap(ClusterLayout::untagged);
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
        PoolMap kind = GoPulseLayout.KINDS.get(map.substring(colon + 1));
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
        return UNTAGGED.tickerOfField(pool, field);
    }

    @Override
    public String toString() {
        return "ClusterLayout";
    }
}
