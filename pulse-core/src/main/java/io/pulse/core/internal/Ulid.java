package io.pulse.core.internal;

import java.security.SecureRandom;
import java.util.Random;

/**
 * Generator of ULIDs: 26-character, time-ordered, Crockford-base32 identifiers (48 bits of Unix
 * milliseconds, then 80 random bits), the ids Go Pulse uses for nodes, workers and consumers.
 * Thread-safe; ids made by one JVM within the same millisecond still sort in creation order.
 */
public final class Ulid {

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final Random RANDOM = new SecureRandom();

    private static long lastMillis;
    private static long lastHigh; // upper 16 of the 80 random bits
    private static long lastLow;  // lower 64 of the 80 random bits

    private Ulid() {
    }

    /** Returns a new ULID. */
    public static String next() {
        long millis;
        long high;
        long low;
        synchronized (Ulid.class) {
            millis = System.currentTimeMillis();
            if (millis <= lastMillis) {
                // same (or earlier, if the clock stepped back) millisecond: keep order by incrementing
                millis = lastMillis;
                lastLow++;
                if (lastLow == 0) {
                    lastHigh = (lastHigh + 1) & 0xFFFF;
                }
            } else {
                lastMillis = millis;
                lastHigh = RANDOM.nextInt(0x10000);
                lastLow = RANDOM.nextLong();
            }
            high = lastHigh;
            low = lastLow;
        }
        return encode(millis, high, low);
    }

    /** Returns the Unix milliseconds encoded at the start of {@code ulid}. */
    public static long timestampMillis(String ulid) {
        if (ulid == null || ulid.length() != 26) {
            throw new IllegalArgumentException("not a ULID: \"" + ulid + "\"");
        }
        long millis = 0;
        for (int i = 0; i < 10; i++) {
            int v = decodeChar(ulid.charAt(i));
            millis = (millis << 5) | v;
        }
        return millis;
    }

    private static int decodeChar(char c) {
        char u = Character.toUpperCase(c);
        for (int i = 0; i < ALPHABET.length; i++) {
            if (ALPHABET[i] == u) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a Crockford base32 character: '" + c + "'");
    }

    private static String encode(long millis, long high16, long low64) {
        char[] out = new char[26];
        // 48-bit time -> 10 chars (the first carries only 3 bits)
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (millis & 31)];
            millis >>>= 5;
        }
        // 80 random bits -> 16 chars, from the least significant end
        long lo = low64;
        long hi = high16;
        for (int i = 25; i >= 10; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo = (lo >>> 5) | ((hi & 31) << 59);
            hi >>>= 5;
        }
        return new String(out);
    }
}
