package io.pulse.admin;

import java.time.Duration;
import java.util.List;

/**
 * One replicated map's Redis hash: its size, revision, last mutation kind, TTL and (up to a limit) its
 * entries, sorted by key. Immutable.
 *
 * @param lastKind {@code set}, {@code del}, {@code reset} or {@code destroy}; null if never written
 * @param ttl time left before the hash expires, null if it has none
 * @param complete whether {@code entries} holds every key of the map
 */
public record MapReport(String name, long size, long revision, String lastKind, Duration ttl, List<Entry> entries,
        boolean complete) {

    /** One key and its value. */
    public record Entry(String key, String value) {
    }
}
