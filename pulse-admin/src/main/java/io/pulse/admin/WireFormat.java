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

/**
 * Every wire-format detail the operator tools read or write that is not a key name (those come from
 * the layout, see {@link AdminNames}) nor a map's reserved hash field (the rmap module's
 * {@code MapProtocol}): stream entry fields, markers, timestamps,
 * lists, ticker values, binary records and map update messages, as Go Pulse v1.6.5 writes them and
 * Java nodes share. Nothing else in this module's Java code decodes a record (the scripts in
 * {@code src-lua/admin} write the records this class encodes). Decoders take damaged values without
 * failing. Stateless and thread-safe.
 */
final class WireFormat {

    /** Stream entry fields: event name and payload. */
    static final String FIELD_NAME = "n";
    static final String FIELD_PAYLOAD = "p";
    /** A worker's entry in the workers map while it is being removed. */
    static final String REMOVING = "-";
    /** The kind of the event that opens every node and worker stream. */
    static final String KIND_INIT = "i";
    /** Where the Lua scripts of this module (src-lua/admin) ship. */
    static final String SCRIPTS = "/io/pulse/admin/lua/";

    private static final ObjectMapper JSON = new ObjectMapper();

    private WireFormat() {
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
