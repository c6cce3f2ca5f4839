package io.pulse.streaming;

import java.time.Instant;

/** Parsing and comparing Redis stream entry ids ({@code <ms>-<seq>}). Stateless. */
final class StreamIds {

    private StreamIds() {
    }

    /** Whether {@code id} is a complete entry id ({@code <ms>-<seq>} or {@code <ms>}). */
    static boolean isValid(String id) {
        if (id == null || id.isEmpty()) {
            return false;
        }
        int dash = id.indexOf('-');
        String ms = dash < 0 ? id : id.substring(0, dash);
        String seq = dash < 0 ? "0" : id.substring(dash + 1);
        return digits(ms) && digits(seq);
    }

    private static boolean digits(String s) {
        if (s.isEmpty() || s.length() > 20) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** The millisecond part of an id. */
    static long millis(String id) {
        int dash = id.indexOf('-');
        return Long.parseUnsignedLong(dash < 0 ? id : id.substring(0, dash));
    }

    /** The id just before every entry added at or after {@code time}: events "from" that time on. */
    static String justBefore(Instant time) {
        long ms = time.toEpochMilli();
        return ms <= 0 ? "0-0" : (ms - 1) + "-" + Long.toUnsignedString(-1L);
    }
}
