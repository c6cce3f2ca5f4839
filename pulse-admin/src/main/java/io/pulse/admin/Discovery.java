package io.pulse.admin;

import io.pulse.core.KeyLayout;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

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
        AdminNames names = redis.names();
        KeyLayout layout = names.layout();
        boolean complete = walk(layout.mapContentKeyPattern(), maps, layout::mapOfContentKey);
        complete &= walk(layout.streamKeyPattern(), streams, layout::streamOfKey);

        Set<String> pools = new TreeSet<>();
        for (String map : maps) {
            names.poolMarkedBy(map).ifPresent(pools::add);
        }
        for (String stream : streams) {
            layout.poolOfPoolStream(stream).ifPresent(pools::add);
        }
        Set<String> userMaps = new TreeSet<>();
        for (String map : maps) {
            if (!layout.isStreamStateMap(map) && !names.isPoolMap(map, pools)) {
                userMaps.add(map);
            }
        }
        Set<String> userStreams = new TreeSet<>();
        for (String stream : streams) {
            if (!names.isPoolInternalStream(stream, pools)) {
                userStreams.add(stream);
            }
        }
        return new Catalog(List.copyOf(pools), List.copyOf(userStreams), List.copyOf(userMaps), complete);
    }

    /** Adds the names of the keys matching {@code pattern}; returns whether the walk reached the end. */
    private boolean walk(String pattern, Set<String> names, Function<String, Optional<String>> nameOf) {
        String cursor = "0";
        for (int page = 0; page < maxPages; page++) {
            RedisQueries.KeyPage result = redis.scan(cursor, pattern, scanCount);
            for (String key : result.keys()) {
                nameOf.apply(key).ifPresent(names::add);
            }
            cursor = result.cursor();
            if ("0".equals(cursor)) {
                return true;
            }
        }
        return false;
    }
}
