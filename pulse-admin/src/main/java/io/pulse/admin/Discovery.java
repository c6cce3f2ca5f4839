package io.pulse.admin;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds pools, streams and maps by walking the keyspace with {@code SCAN ... COUNT}, one bounded page
 * per round trip and at most a budget of pages per pass, never {@code KEYS}. Thread-safe.
 */
final class Discovery {

    private final RedisQueries redis;
    private final int scanCount;
    private final int maxPages;

    Discovery(RedisQueries redis, int scanCount, int maxPages) {
        this.redis = redis;
        this.scanCount = scanCount;
        this.maxPages = maxPages;
    }

    Catalog scan() {
        Set<String> maps = new TreeSet<>();
        Set<String> streams = new TreeSet<>();
        boolean complete = walk(PulseLayout.MAP_CONTENT_PATTERN, maps, true);
        complete &= walk(PulseLayout.STREAM_PATTERN, streams, false);

        Set<String> pools = new TreeSet<>();
        for (String map : maps) {
            PulseLayout.poolOfMap(map, PulseLayout.POOL_MARKER_MAPS).ifPresent(pools::add);
        }
        for (String stream : streams) {
            PulseLayout.poolOfStream(stream).ifPresent(pools::add);
        }
        Set<String> userMaps = new TreeSet<>();
        for (String map : maps) {
            if (!PulseLayout.isStreamBookkeeping(map)
                    && PulseLayout.poolOfMap(map, PulseLayout.POOL_MAPS).filter(pools::contains).isEmpty()) {
                userMaps.add(map);
            }
        }
        Set<String> userStreams = new TreeSet<>();
        for (String stream : streams) {
            if (!PulseLayout.isPoolInternalStream(stream, pools)) {
                userStreams.add(stream);
            }
        }
        return new Catalog(List.copyOf(pools), List.copyOf(userStreams), List.copyOf(userMaps), complete);
    }

    /** Adds the names of the keys matching {@code pattern}; returns whether the walk reached the end. */
    private boolean walk(String pattern, Set<String> names, boolean maps) {
        String cursor = "0";
        for (int page = 0; page < maxPages; page++) {
            RedisQueries.KeyPage result = redis.scan(cursor, pattern, scanCount);
            for (String key : result.keys()) {
                (maps ? PulseLayout.mapNameOf(key) : PulseLayout.streamNameOf(key)).ifPresent(names::add);
            }
            cursor = result.cursor();
            if ("0".equals(cursor)) {
                return true;
            }
        }
        return false;
    }
}
