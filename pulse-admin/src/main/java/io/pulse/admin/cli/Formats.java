package io.pulse.admin.cli;

import java.time.Duration;

/** How the command line writes durations and sizes for people; stateless. */
final class Formats {

    private Formats() {
    }

    /**
     * A duration rounded down for reading at a glance: {@code 0s}, {@code 42s}, {@code 3m07s} under
     * ten minutes, then whole minutes ({@code 25m}, {@code 1h05m}), then days and hours ({@code 2d03h}).
     * Null is written {@code -}.
     */
    static String duration(Duration d) {
        if (d == null) {
            return "-";
        }
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 600) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        long m = s / 60;
        if (m < 60) {
            return m + "m";
        }
        long h = m / 60;
        if (h < 24) {
            return String.format("%dh%02dm", h, m % 60);
        }
        return String.format("%dd%02dh", h / 24, h % 24);
    }

    /** A point in time relative to now: {@code in 30s} or {@code 30s ago}. */
    static String relative(Duration untilThen) {
        if (untilThen == null) {
            return "-";
        }
        return untilThen.isNegative() ? duration(untilThen.negated()) + " ago" : "in " + duration(untilThen);
    }

    /** A payload size: {@code 12 B}, or {@code none} for -1 (no payload stored). */
    static String size(long bytes) {
        return bytes < 0 ? "none" : bytes + " B";
    }

    /** {@code n} things, with the plural when needed. */
    static String count(long n, String thing) {
        return n + " " + thing + (n == 1 ? "" : thing.endsWith("ch") ? "es" : "s");
    }
}
