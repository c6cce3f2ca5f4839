package io.pulse.admin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The settings every inspector reads: the clock ages are measured with, the liveness threshold, and
 * the bounds that keep each call's work small. Immutable.
 *
 * @param workerTtl a node or worker whose keep-alive is older than this is dead (the pool's worker TTL)
 * @param listLimit the most jobs, map entries or events one report lists
 * @param scanCount the COUNT of each SCAN or HSCAN page
 * @param maxScanPages the most SCAN pages one pass walks
 * @param lagCap how far a lag is counted where Redis does not report it (before 7.0)
 * @param pendingShown how many of the oldest unacknowledged pool events a pool report shows
 */
record Inspection(Clock clock, Duration workerTtl, int listLimit, int scanCount, int maxScanPages, int lagCap,
        int pendingShown) {

    Instant now() {
        return clock.instant();
    }

    /** Whether a keep-alive of this age is fresh by the default worker TTL; a missing one (null) is not. */
    boolean alive(Duration age) {
        return alive(age, workerTtl);
    }

    /** Whether a keep-alive of this age is fresh by {@code ttl}; a missing one (null) is not. */
    static boolean alive(Duration age, Duration ttl) {
        return age != null && age.compareTo(ttl) <= 0;
    }

    /**
     * The TTL a node or worker is judged by: the one its Java node published in the pool's
     * {@code keepalive-ttl} map, else (a Go node, or an entry that is gone) {@link #workerTtl()}.
     */
    Duration ttlOf(String id, Map<String, String> published) {
        Instant asEpochOffset = WireFormat.parseNanos(published.get(id));
        return asEpochOffset == null || Instant.EPOCH.equals(asEpochOffset)
                ? workerTtl : Duration.between(Instant.EPOCH, asEpochOffset);
    }
}
