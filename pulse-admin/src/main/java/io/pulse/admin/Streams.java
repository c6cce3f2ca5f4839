package io.pulse.admin;

import io.lettuce.core.StreamMessage;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers over stream entries as Lettuce returns them. */
final class Streams {

    private Streams() {
    }

    /** An entry's fields by name. */
    static Map<String, byte[]> body(StreamMessage<byte[], byte[]> message) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        message.getBody().forEach((k, v) -> out.put(WireFormat.utf8(k), v));
        return out;
    }

    /** Orders stream ids ({@code <ms>-<seq>}) as Redis does. */
    static int compareIds(String a, String b) {
        long[] x = parse(a);
        long[] y = parse(b);
        int c = Long.compareUnsigned(x[0], y[0]);
        return c != 0 ? c : Long.compareUnsigned(x[1], y[1]);
    }

    private static long[] parse(String id) {
        int dash = id.indexOf('-');
        if (dash < 0) {
            return new long[] {Long.parseUnsignedLong(id), 0};
        }
        return new long[] {Long.parseUnsignedLong(id.substring(0, dash)), Long.parseUnsignedLong(id.substring(dash + 1))};
    }
}
