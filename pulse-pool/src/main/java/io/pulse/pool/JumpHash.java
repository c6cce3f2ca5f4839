package io.pulse.pool;

import java.nio.charset.StandardCharsets;

/**
 * The routing hash of Go Pulse: Lamping and Veach's jump consistent hash over the CRC-64/XZ (Go's
 * {@code crc64.ECMA}) of the job key's UTF-8 bytes, so a key lands on the same bucket as in Go.
 * Stateless and thread-safe.
 */
final class JumpHash {

    private static final long POLY = 0xC96C5795D7870F42L;
    private static final long[] TABLE = new long[256];

    static {
        for (int i = 0; i < 256; i++) {
            long crc = i;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ POLY : crc >>> 1;
            }
            TABLE[i] = crc;
        }
    }

    private JumpHash() {
    }

    /** CRC-64/XZ of {@code data}. */
    static long crc64(byte[] data) {
        long crc = -1L;
        for (byte b : data) {
            crc = TABLE[(int) ((crc ^ b) & 0xFF)] ^ (crc >>> 8);
        }
        return ~crc;
    }

    /** The bucket in {@code [0, buckets)} of {@code key}. */
    static int bucket(String key, int buckets) {
        if (buckets <= 0) {
            throw new IllegalArgumentException("buckets must be positive: " + buckets);
        }
        long h = crc64(key.getBytes(StandardCharsets.UTF_8));
        long b = -1;
        long j = 0;
        while (j < buckets) {
            b = j;
            h = h * 2862933555777941757L + 1;
            j = (long) ((double) (b + 1) * ((double) (1L << 31) / (double) ((h >>> 33) + 1)));
        }
        return (int) b;
    }
}
