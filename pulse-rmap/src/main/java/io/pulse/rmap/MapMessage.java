package io.pulse.rmap;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One change as published on {@code map:<name>:updates}, in Go Pulse's wire format:
 * {@code set:} + S(key) + S(value) + S(rev), {@code del:} + S(key) + S(rev), {@code reset:<rev>} or
 * {@code destroy:<rev>}, where S(x) is a 4-byte little-endian length followed by the bytes of x and
 * rev is a decimal revision. Immutable.
 *
 * @param op the operation
 * @param key the changed key ({@code null} for reset and destroy)
 * @param value the new value ({@code null} unless {@code op} is {@link Op#SET})
 * @param revision the map revision this change produced
 */
record MapMessage(Op op, String key, String value, long revision) {

    enum Op { SET, DEL, RESET, DESTROY }

    /** Raised for a payload that is not a valid message; carries what is wrong with it. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    /** Decodes a payload; trailing bytes after the last field are ignored, as Go does. */
    static MapMessage decode(byte[] payload) throws MalformedException {
        int colon = -1;
        for (int i = 0; i < payload.length; i++) {
            if (payload[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon < 0) {
            throw new MalformedException("no ':' after the operation");
        }
        String op = new String(payload, 0, colon, StandardCharsets.US_ASCII);
        Reader reader = new Reader(payload, colon + 1);
        switch (op) {
            case "set": {
                String key = reader.string();
                String value = reader.string();
                long rev = parseRevision(reader.string());
                return new MapMessage(Op.SET, key, value, rev);
            }
            case "del": {
                String key = reader.string();
                long rev = parseRevision(reader.string());
                return new MapMessage(Op.DEL, key, null, rev);
            }
            case "reset":
            case "destroy": {
                String text = new String(payload, colon + 1, payload.length - colon - 1, StandardCharsets.US_ASCII);
                return new MapMessage(op.equals("reset") ? Op.RESET : Op.DESTROY, null, null, parseRevision(text));
            }
            default:
                throw new MalformedException("unknown operation \"" + op + "\"");
        }
    }

    /** Encodes this message exactly as the map scripts publish it. */
    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String rev = Long.toUnsignedString(revision);
        switch (op) {
            case SET:
                ascii(out, "set:");
                writeString(out, key);
                writeString(out, value);
                writeString(out, rev);
                break;
            case DEL:
                ascii(out, "del:");
                writeString(out, key);
                writeString(out, rev);
                break;
            case RESET:
                ascii(out, "reset:" + rev);
                break;
            default:
                ascii(out, "destroy:" + rev);
                break;
        }
        return out.toByteArray();
    }

    private static long parseRevision(String text) throws MalformedException {
        if (text.isEmpty()) {
            throw new MalformedException("empty revision");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new MalformedException("revision is not a decimal number: \"" + text + "\"");
            }
        }
        try {
            return Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            throw new MalformedException("revision out of range: \"" + text + "\"");
        }
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int n = bytes.length;
        out.write(n & 0xFF);
        out.write((n >>> 8) & 0xFF);
        out.write((n >>> 16) & 0xFF);
        out.write((n >>> 24) & 0xFF);
        out.writeBytes(bytes);
    }

    /** Reads length-prefixed strings from a payload. */
    private static final class Reader {
        private final byte[] data;
        private int pos;

        Reader(byte[] data, int pos) {
            this.data = data;
            this.pos = pos;
        }

        String string() throws MalformedException {
            if (data.length - pos < 4) {
                throw new MalformedException("buffer too short for length at byte " + pos);
            }
            long n = (data[pos] & 0xFFL) | (data[pos + 1] & 0xFFL) << 8 | (data[pos + 2] & 0xFFL) << 16
                    | (data[pos + 3] & 0xFFL) << 24;
            pos += 4;
            if (n > data.length - pos) {
                throw new MalformedException("buffer too short for string of " + n + " bytes at byte " + pos);
            }
            String s = new String(data, pos, (int) n, StandardCharsets.UTF_8);
            pos += (int) n;
            return s;
        }
    }
}
