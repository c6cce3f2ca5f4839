package io.pulse.bench;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import io.pulse.core.GoPulseLayout;
import io.pulse.core.KeyLayout;
import java.util.ArrayList;
import java.util.List;

/** The keys a benchmark uses (Go Pulse's layout, Pulse's default) and their removal. */
final class BenchKeys {

    /** The layout the benchmarks' Pulse side runs with: the raw side uses the same key shapes. */
    static final KeyLayout LAYOUT = new GoPulseLayout();

    private BenchKeys() {
    }

    /** Deletes every key matching the glob {@code pattern} (SCAN, then DEL); returns how many. */
    static long deleteMatching(RedisCommands<String, String> commands, String pattern) {
        List<String> keys = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = commands.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
            keys.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished());
        long deleted = 0;
        for (int i = 0; i < keys.size(); i += 500) {
            deleted += commands.del(keys.subList(i, Math.min(keys.size(), i + 500)).toArray(new String[0]));
        }
        return deleted;
    }
}
