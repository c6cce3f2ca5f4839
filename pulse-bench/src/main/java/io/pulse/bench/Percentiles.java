package io.pulse.bench;

import java.util.Arrays;

/** Latency percentiles of a set of samples (nanoseconds), computed once from a sorted copy. */
record Percentiles(long p50, long p99, long p999, long max, int samples) {

    /** The percentiles of {@code samples[from, to)}; zeros (never seen) are left out. */
    static Percentiles of(long[] samples, int from, int to) {
        long[] sorted = Arrays.copyOfRange(samples, from, to);
        Arrays.sort(sorted);
        int firstSeen = 0;
        while (firstSeen < sorted.length && sorted[firstSeen] <= 0) {
            firstSeen++;
        }
        long[] seen = Arrays.copyOfRange(sorted, firstSeen, sorted.length);
        if (seen.length == 0) {
            return new Percentiles(0, 0, 0, 0, 0);
        }
        return new Percentiles(at(seen, 50), at(seen, 99), at(seen, 99.9), seen[seen.length - 1], seen.length);
    }

    /** The nearest-rank percentile {@code p} of an ascending array. */
    static long at(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
