package io.pulse.admin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Reads one replicated map's hash: size, revision and last kind in one pipelined round trip, entries
 * with bounded {@code HSCAN} pages up to a limit.
 */
final class MapInspector {

    private final RedisQueries redis;
    private final Inspection settings;

    MapInspector(RedisQueries redis, Inspection settings) {
        this.redis = redis;
        this.settings = settings;
    }

    /** The map's facts without its entries. */
    Optional<MapReport> summary(String map) {
        return inspect(map, 0);
    }

    /** The map's facts and up to {@code limit} entries (sorted by key among those read). */
    Optional<MapReport> inspect(String map, int limit) {
        String key = redis.names().layout().mapContentKey(map);
        RedisQueries.HashFacts facts = redis.hashFacts(key);
        if (facts.length() == 0) {
            return Optional.empty();
        }
        long size = facts.length() - (facts.revision() == null ? 0 : 1) - (facts.kind() == null ? 0 : 1);
        long revision = parseRevision(facts.revision());
        Duration ttl = facts.pttl() > 0 ? Duration.ofMillis(facts.pttl()) : null;
        List<MapReport.Entry> entries = new ArrayList<>();
        boolean complete = size == 0;
        if (limit > 0 && size > 0) {
            String cursor = "0";
            int pages = 0;
            do {
                RedisQueries.HashPage page = redis.hscan(key, cursor, settings.scanCount());
                page.entries().forEach((k, v) -> {
                    if (!k.startsWith("=")) {
                        entries.add(new MapReport.Entry(k, v));
                    }
                });
                cursor = page.cursor();
            } while (!"0".equals(cursor) && entries.size() < limit && ++pages < settings.maxScanPages());
            complete = "0".equals(cursor) && entries.size() <= limit;
            entries.sort(Comparator.comparing(MapReport.Entry::key));
        }
        List<MapReport.Entry> shown = List.copyOf(entries.subList(0, Math.min(entries.size(), limit)));
        return Optional.of(new MapReport(map, size, revision, facts.kind(), ttl, shown, complete));
    }

    private static long parseRevision(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
