package io.pulse.bench;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;

/** Removal of the keys a benchmark created, found by a name part only its run uses. */
final class BenchKeys {

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
