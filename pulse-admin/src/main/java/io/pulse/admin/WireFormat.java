package io.pulse.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every Redis key, channel, field name and wire-format detail the operator tools read or write, in one
 * place: Go Pulse v1.6.5's layout, which Java nodes share. Nothing else in this module's Java code
 * spells a key or decodes a record (the scripts in {@code src-lua/admin} write the records this class
 * encodes and the map messages it decodes), so the tools can later be pointed at another layout by
 * changing this class and those scripts alone. Stateless and thread-safe.
 */
final class PulseLayout {

    // ---- replicated maps: hash map:<name>:content, channel map:<name>:updates

    static final String MAP_PREFIX = "map:";
    static final String MAP_CONTENT_SUFFIX = ":content";
    /** Hash fields beside the user keys: the revision and the kind of the last mutation. */
    static final String REVISION_FIELD = "=rev";
    static final String KIND_FIELD = "=kind";
    /** SCAN pattern of every map's content hash. */
    static final String MAP_CONTENT_PATTERN = "map:*:content";

    // ---- streams: pulse:stream:<name>, entries n (event name), p (payload), t (topic)

    static final String STREAM_PREFIX = "pulse:stream:";
    static final String STREAM_PATTERN = "pulse:stream:*";
    static final String FIELD_NAME = "n";
    static final String FIELD_PAYLOAD = "p";

    // ---- pools

    /** The sink (consumer group) every full node reads the pool stream through. */
    static final String POOL_SINK = "events";
    /** A worker's entry in the workers map while it is being removed. */
    static final String REMOVING = "-";
    static final String SHUTDOWN_MAP = "shutdown";
    static final String NODE_KEEPALIVE_MAP = "node-keepalive";
    static final String WORKERS_MAP = "workers";
    static final String WORKER_KEEPALIVE_MAP = "worker-keepalive";
    static final String CLEANUP_MAP = "cleanup";
    static final String JOBS_MAP = "jobs";
    static final String PAYLOADS_MAP = "job-payloads";
    static final String PENDING_MAP = "pending-jobs";
    static final String TICKERS_MAP = "tickers";
    /** Java nodes only: node or worker id -> the worker TTL (ns) it is judged by. */
    static final String KEEPALIVE_TTL_MAP = "keepalive-ttl";
    /** The suffixes of a pool's own maps ({@code <pool>:<suffix>}). */
    static final Set<String> POOL_MAPS = Set.of(SHUTDOWN_MAP, NODE_KEEPALIVE_MAP, WORKERS_MAP,
            WORKER_KEEPALIVE_MAP, CLEANUP_MAP, JOBS_MAP, PAYLOADS_MAP, PENDING_MAP, TICKERS_MAP, KEEPALIVE_TTL_MAP);
    /** The maps whose presence alone shows a pool exists. */
    static final Set<String> POOL_MARKER_MAPS = Set.of(NODE_KEEPALIVE_MAP, WORKERS_MAP, PAYLOADS_MAP);
    static final String POOL_STREAM_SUFFIX = ":pool";
    static final String NODE_STREAM_INFIX = ":node:";
    static final String WORKER_STREAM_PREFIX = "worker:";

    /** The kind of the event that opens every node and worker stream. */
    static final String KIND_INIT = "i";

    // ---- Lua scripts of this module (src-lua/admin)

    static final String SCRIPTS = "/io/pulse/admin/lua/";

    private static final ObjectMapper JSON = new ObjectMapper();

    private PulseLayout() {
    }

    static String mapContent(String map) {
        return MAP_PREFIX + map + MAP_CONTENT_SUFFIX;
    }

    static String mapUpdates(String map) {
        return MAP_PREFIX + map + ":updates";
    }

    /** The map name of a content-hash key, or empty if the key is not one. */
    static Optional<String> mapNameOf(String key) {
        if (key.startsWith(MAP_PREFIX) && key.endsWith(MAP_CONTENT_SUFFIX)
                && key.length() > MAP_PREFIX.length() + MAP_CONTENT_SUFFIX.length()) {
            return Optional.of(key.substring(MAP_PREFIX.length(), key.length() - MAP_CONTENT_SUFFIX.length()));
        }
        return Optional.empty();
    }

    static String streamKey(String stream) {
        return STREAM_PREFIX + stream;
    }

    /** The stream name of a stream key, or empty if the key is not one. */
    static Optional<String> streamNameOf(String key) {
        return key.startsWith(STREAM_PREFIX) && key.length() > STREAM_PREFIX.length()
                ? Optional.of(key.substring(STREAM_PREFIX.length())) : Optional.empty();
    }

    /** The replicated map listing, per sink name, the consumers reading a stream. */
    static String sinkRegistryMap(String stream) {
        return "stream:" + stream + ":sinks";
    }

    /** The replicated map of a sink's consumers' keep-alives; keyed by sink name only, as in Go Pulse. */
    static String sinkKeepAliveMap(String sink) {
        return "sink:" + sink + ":keepalive";
    }

    /** Whether a map belongs to streams' own bookkeeping (consumer registries, keep-alives). */
    static boolean isStreamBookkeeping(String map) {
        return (map.startsWith("stream:") && map.endsWith(":sinks")) || (map.startsWith("sink:") && map.endsWith(":keepalive"));
    }

    static String poolMap(String pool, String suffix) {
        return pool + ":" + suffix;
    }

    /** The pool a pool map belongs to, if {@code map} is {@code <pool>:<one of the pool's suffixes>}. */
    static Optional<String> poolOfMap(String map, Set<String> suffixes) {
        int colon = map.lastIndexOf(':');
        if (colon <= 0 || !suffixes.contains(map.substring(colon + 1))) {
            return Optional.empty();
        }
        return Optional.of(map.substring(0, colon));
    }

    static String poolStream(String pool) {
        return pool + POOL_STREAM_SUFFIX;
    }

    static String nodeStream(String pool, String node) {
        return pool + NODE_STREAM_INFIX + node;
    }

    /** Worker streams are not namespaced by pool, as in Go Pulse. */
    static String workerStream(String worker) {
        return WORKER_STREAM_PREFIX + worker;
    }

    /** The pool of a pool stream name ({@code <pool>:pool}), if it is one. */
    static Optional<String> poolOfStream(String stream) {
        return stream.endsWith(POOL_STREAM_SUFFIX) && stream.length() > POOL_STREAM_SUFFIX.length()
                ? Optional.of(stream.substring(0, stream.length() - POOL_STREAM_SUFFIX.length())) : Optional.empty();
    }

    /** Whether a stream is one of the pools' own (pool, node or worker stream). */
    static boolean isPoolInternalStream(String stream, Set<String> pools) {
        if (stream.startsWith(WORKER_STREAM_PREFIX) || poolOfStream(stream).filter(pools::contains).isPresent()) {
            return true;
        }
        int node = stream.lastIndexOf(NODE_STREAM_INFIX);
        return node > 0 && pools.contains(stream.substring(0, node));
    }

    /** A ticker's entry in the tickers map is {@code <pool>:<ticker>}; a schedule's map is {@code <pool>:<name>}. */
    static String tickerEntry(String pool, String ticker) {
        return pool + ":" + ticker;
    }

    // ---- values

    /** A decimal Unix-nanosecond timestamp (keep-alives, creation times, guard deadlines), or null. */
    static Instant parseNanos(String value) {
        if (value == null || value.isEmpty() || value.length() > 19) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            if (!Character.isDigit(value.charAt(i))) {
                return null;
            }
        }
        try {
            long nanos = Long.parseLong(value);
            return Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
        } catch (NumberFormatException e) {
            return null; // 19 digits beyond the range of a long
        }
    }

    /** The time of a stream entry id ({@code <ms>-<seq>}), or null if it is not one. */
    static Instant idTime(String id) {
        if (id == null) {
            return null;
        }
        int dash = id.indexOf('-');
        try {
            return Instant.ofEpochMilli(Long.parseLong(dash < 0 ? id : id.substring(0, dash)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * A list value (a JSON array of strings as Redis's cjson writes it; older values are
     * comma-separated); empty for null.
     */
    static List<String> parseList(String value) {
        if (value == null) {
            return List.of();
        }
        String trimmed = value.trim();
        if (trimmed.startsWith("[")) {
            try {
                JsonNode node = JSON.readTree(trimmed);
                if (node != null && node.isArray()) {
                    List<String> out = new ArrayList<>();
                    node.forEach(n -> out.add(n.asText()));
                    return out;
                }
            } catch (IOException e) {
                // not JSON after all: the comma-separated form below
            }
        }
        return Arrays.asList(value.split(",", -1));
    }

    /** A ticker's value {@code "<next tick, Unix microseconds>|<interval in Go duration syntax>"}. */
    record TickerValue(Instant next, String interval) {
        static Optional<TickerValue> parse(String value) {
            int bar = value == null ? -1 : value.indexOf('|');
            if (bar <= 0) {
                return Optional.empty();
            }
            try {
                long micros = Long.parseLong(value.substring(0, bar));
                return Optional.of(new TickerValue(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                        Math.floorMod(micros, 1_000_000L) * 1000), value.substring(bar + 1)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    // ---- binary records: L(x) = 4-byte little-endian length, then the bytes of x

    /** The JobKey record of a stop event: L(key). */
    static byte[] jobKeyRecord(String key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        frame(out, key.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** The job key every pool-stream payload starts with; empty if it is truncated. */
    static Optional<String> decodeKey(byte[] data) {
        byte[] key = new Frames(data).next();
        return key == null ? Optional.empty() : Optional.of(utf8(key));
    }

    /** The sender of an envelope, L(sender) L(inner): for a worker stream's init event, its node. */
    static Optional<String> decodeEnvelopeSender(byte[] data) {
        return decodeKey(data);
    }

    // ---- map update messages: set: S(key) S(value) S(rev) | del: S(key) S(rev) | reset:<rev> | destroy:<rev>

    /** One decoded map update message; {@code key} and {@code value} are null where the kind has none. */
    record MapMessage(String kind, String key, String value, long revision) {
    }

    static Optional<MapMessage> decodeMapMessage(byte[] message) {
        int colon = -1;
        for (int i = 0; i < message.length; i++) {
            if (message[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon < 0) {
            return Optional.empty();
        }
        String kind = new String(message, 0, colon, StandardCharsets.US_ASCII);
        byte[] data = Arrays.copyOfRange(message, colon + 1, message.length);
        try {
            switch (kind) {
                case "reset", "destroy" -> {
                    return Optional.of(new MapMessage(kind, null, null, Long.parseLong(utf8(data))));
                }
                case "set" -> {
                    Frames in = new Frames(data);
                    byte[] key = in.next();
                    byte[] value = in.next();
                    byte[] rev = in.next();
                    return rev == null ? Optional.empty()
                            : Optional.of(new MapMessage(kind, utf8(key), utf8(value), Long.parseLong(utf8(rev))));
                }
                case "del" -> {
                    Frames in = new Frames(data);
                    byte[] key = in.next();
                    byte[] rev = in.next();
                    return rev == null ? Optional.empty()
                            : Optional.of(new MapMessage(kind, utf8(key), null, Long.parseLong(utf8(rev))));
                }
                default -> {
                    return Optional.empty();
                }
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void frame(ByteArrayOutputStream out, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(data.length).array());
        out.writeBytes(data);
    }

    static String utf8(byte[] data) {
        return data == null ? null : new String(data, StandardCharsets.UTF_8);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads length-prefixed frames; {@link #next()} returns null once the data runs short. */
    private static final class Frames {
        private final byte[] data;
        private int pos;

        Frames(byte[] data) {
            this.data = data == null ? new byte[0] : data;
        }

        byte[] next() {
            if (data.length - pos < 4) {
                pos = data.length;
                return null;
            }
            int n = ByteBuffer.wrap(data, pos, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (n < 0 || n > data.length - pos - 4) {
                pos = data.length;
                return null;
            }
            byte[] out = Arrays.copyOfRange(data, pos + 4, pos + 4 + n);
            pos += 4 + n;
            return out;
        }
    }
}
