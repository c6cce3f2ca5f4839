package io.pulse.pool;

import java.time.Duration;

/**
 * Go's text form of durations ({@code time.Duration.String} and {@code time.ParseDuration}), used in
 * the tickers map so Java and Go nodes read each other's entries: {@code 0s}, {@code 1.5µs},
 * {@code 100.005ms}, {@code 1m30s}, {@code 1h0m0s}. Stateless.
 */
final class GoDuration {

    private GoDuration() {
    }

    static String format(Duration duration) {
        long n = duration.toNanos();
        if (n == 0) {
            return "0s";
        }
        boolean negative = n < 0;
        // the magnitude of Long.MIN_VALUE does not fit a long: unsigned arithmetic from here on
        long u = negative ? -n : n;
        StringBuilder out = new StringBuilder();
        if (negative) {
            out.append('-');
        }
        if (Long.compareUnsigned(u, 1_000_000_000L) < 0) {
            if (u < 1_000L) {
                out.append(u).append("ns");
            } else if (u < 1_000_000L) {
                out.append(u / 1_000L).append(fraction(u % 1_000L, 3)).append("µs");
            } else {
                out.append(u / 1_000_000L).append(fraction(u % 1_000_000L, 6)).append("ms");
            }
            return out.toString();
        }
        long seconds = Long.divideUnsigned(u, 1_000_000_000L);
        long nanos = Long.remainderUnsigned(u, 1_000_000_000L);
        long hours = seconds / 3600;
        long minutes = (seconds % 3600) / 60;
        long secs = seconds % 60;
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            out.append(minutes).append('m');
        }
        out.append(secs).append(fraction(nanos, 9)).append('s');
        return out.toString();
    }

    private static String fraction(long value, int digits) {
        if (value == 0) {
            return "";
        }
        StringBuilder s = new StringBuilder(Long.toString(value));
        while (s.length() < digits) {
            s.insert(0, '0');
        }
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '0') {
            end--;
        }
        return "." + s.substring(0, end);
    }

    /**
     * Parses Go's duration syntax: an optional sign, then numbers with optional fractions, each
     * followed by a unit ({@code ns}, {@code us}, {@code µs}, {@code μs}, {@code ms}, {@code s},
     * {@code m}, {@code h}); {@code 0} alone is zero.
     *
     * @throws IllegalArgumentException if {@code text} is not such a duration
     */
    static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("not a duration: \"" + text + "\"");
        }
        int i = 0;
        boolean negative = false;
        if (text.charAt(0) == '-' || text.charAt(0) == '+') {
            negative = text.charAt(0) == '-';
            i = 1;
        }
        if (text.substring(i).equals("0")) {
            return Duration.ZERO;
        }
        if (i >= text.length()) {
            throw new IllegalArgumentException("not a duration: \"" + text + "\"");
        }
        double totalNanos = 0;
        long exactNanos = 0;
        while (i < text.length()) {
            int start = i;
            while (i < text.length() && Character.isDigit(text.charAt(i))) {
                i++;
            }
            String whole = text.substring(start, i);
            String frac = "";
            if (i < text.length() && text.charAt(i) == '.') {
                int fs = ++i;
                while (i < text.length() && Character.isDigit(text.charAt(i))) {
                    i++;
                }
                frac = text.substring(fs, i);
            }
            if (whole.isEmpty() && frac.isEmpty()) {
                throw new IllegalArgumentException("not a duration: \"" + text + "\"");
            }
            int us = i;
            while (i < text.length() && !Character.isDigit(text.charAt(i)) && text.charAt(i) != '.') {
                i++;
            }
            long unit = unitNanos(text.substring(us, i), text);
            long w = whole.isEmpty() ? 0 : Long.parseLong(whole);
            exactNanos += w * unit;
            if (!frac.isEmpty()) {
                totalNanos += Double.parseDouble("0." + frac) * unit;
            }
        }
        long nanos = exactNanos + Math.round(totalNanos);
        return Duration.ofNanos(negative ? -nanos : nanos);
    }

    private static long unitNanos(String unit, String text) {
        switch (unit) {
            case "ns":
                return 1L;
            case "us":
            case "µs":
            case "μs":
                return 1_000L;
            case "ms":
                return 1_000_000L;
            case "s":
                return 1_000_000_000L;
            case "m":
                return 60_000_000_000L;
            case "h":
                return 3_600_000_000_000L;
            default:
                throw new IllegalArgumentException("unknown unit \"" + unit + "\" in duration \"" + text + "\"");
        }
    }
}
