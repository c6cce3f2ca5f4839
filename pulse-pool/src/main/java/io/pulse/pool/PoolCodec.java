package io.pulse.pool;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The binary records of a pool, byte for byte as Go Pulse writes them (little-endian; L(x) is a
 * 4-byte length followed by the bytes of x):
 * <ul>
 *   <li>Job: L(key) L(nodeId) L(payload) int64(createdAt, Unix ns) byte(requeued)</li>
 *   <li>JobKey: L(key); Notification: L(key) L(payload)</li>
 *   <li>Envelope: L(senderId) L(inner); Ack: L(eventId) L(error message, empty on success)</li>
 * </ul>
 * Every pool-stream payload starts with L(key). Decoders reject truncated or inconsistent input with
 * {@link MalformedException} instead of failing their caller's loop. The values of the pool's maps that
 * are not records (Unix nanoseconds, JSON lists) are read where they are used; the two markers below
 * are Go Pulse's too. Stateless.
 */
final class PoolCodec {

    /** The key of the shutdown map's entry that marks a pool shutting down. */
    static final String SHUTDOWN_KEY = "shutdown";
    /** The value a worker's entry in the workers map takes while it is being removed. */
    static final String REMOVING = "-";

    private PoolCodec() {
    }

    /** A record that does not decode; says what is wrong. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    record Envelope(String sender, byte[] inner) {
    }

    record Ack(String eventId, String error) {
        boolean ok() {
            return error.isEmpty();
        }
    }

    record Notification(String key, byte[] payload) {
    }

    // ---- encoding ----

    static byte[] job(Job job) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + job.payload().length);
        frame(out, bytes(job.key()));
        frame(out, bytes(job.nodeId()));
        frame(out, job.payload());
        long nanos = PoolClock.toNanos(job.createdAt());
        for (int i = 0; i < 8; i++) {
            out.write((int) (nanos >>> (8 * i)) & 0xFF);
        }
        out.write(job.requeued() ? 1 : 0);
        return out.toByteArray();
    }

    static byte[] jobKey(String key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        frame(out, bytes(key));
        return out.toByteArray();
    }

    static byte[] notification(String key, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        frame(out, bytes(key));
        frame(out, payload);
        return out.toByteArray();
    }

    static byte[] envelope(String sender, byte[] inner) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        frame(out, bytes(sender));
        frame(out, inner);
        return out.toByteArray();
    }

    static byte[] ack(String eventId, String error) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        frame(out, bytes(eventId));
        frame(out, bytes(error));
        return out.toByteArray();
    }

    // ---- decoding ----

    static Job decodeJob(byte[] data) throws MalformedException {
        Reader r = new Reader(data, "job");
        String key = r.string();
        String node = r.string();
        byte[] payload = r.bytes();
        long nanos = r.int64();
        boolean requeued = r.byte1() != 0;
        return new Job(key, payload, PoolClock.fromNanos(nanos), node, requeued);
    }

    /** The key every pool-stream payload starts with. */
    static String decodeKey(byte[] data) throws MalformedException {
        return new Reader(data, "job key").string();
    }

    static Notification decodeNotification(byte[] data) throws MalformedException {
        Reader r = new Reader(data, "notification");
        return new Notification(r.string(), r.bytes());
    }

    static Envelope decodeEnvelope(byte[] data) throws MalformedException {
        Reader r = new Reader(data, "envelope");
        return new Envelope(r.string(), r.bytes());
    }

    static Ack decodeAck(byte[] data) throws MalformedException {
        Reader r = new Reader(data, "ack");
        return new Ack(r.string(), r.string());
    }

    private static void frame(ByteArrayOutputStream out, byte[] data) {
        int n = data.length;
        out.write(n & 0xFF);
        out.write((n >>> 8) & 0xFF);
        out.write((n >>> 16) & 0xFF);
        out.write((n >>> 24) & 0xFF);
        out.writeBytes(data);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final class Reader {
        private final byte[] data;
        private final String what;
        private int pos;

        Reader(byte[] data, String what) {
            this.data = data == null ? new byte[0] : data;
            this.what = what;
        }

        byte[] bytes() throws MalformedException {
            if (data.length - pos < 4) {
                throw new MalformedException(what + ": too short for a length at byte " + pos);
            }
            int n = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8 | (data[pos + 2] & 0xFF) << 16
                    | (data[pos + 3] & 0xFF) << 24;
            pos += 4;
            if (n < 0 || n > data.length - pos) {
                throw new MalformedException(what + ": length " + n + " at byte " + (pos - 4) + " exceeds the "
                        + (data.length - pos) + " bytes left");
            }
            byte[] out = new byte[n];
            System.arraycopy(data, pos, out, 0, n);
            pos += n;
            return out;
        }

        String string() throws MalformedException {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        long int64() throws MalformedException {
            if (data.length - pos < 8) {
                throw new MalformedException(what + ": too short for a timestamp at byte " + pos);
            }
            long v = 0;
            for (int i = 7; i >= 0; i--) {
                v = (v << 8) | (data[pos + i] & 0xFFL);
            }
            pos += 8;
            return v;
        }

        int byte1() throws MalformedException {
            if (data.length - pos < 1) {
                throw new MalformedException(what + ": too short for the requeued flag at byte " + pos);
            }
            return data[pos++];
        }
    }
}
