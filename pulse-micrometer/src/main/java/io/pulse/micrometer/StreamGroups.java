package io.pulse.micrometer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the reply of {@code XINFO GROUPS}: for each consumer group its {@code pending} count (read, not
 * acknowledged) and its {@code lag} (not read yet). Redis 7 reports the lag, and reports it as nil when
 * it cannot tell (after entries were deleted from the middle of the stream); older servers do not
 * report it. An unknown value is {@code -1}. Stateless.
 */
final class StreamGroups {

    private StreamGroups() {
    }

    /** Group name to {@code {pending, lag}}. */
    static Map<String, long[]> parse(List<Object> reply) {
        Map<String, long[]> groups = new HashMap<>();
        for (Object group : reply) {
            if (!(group instanceof List<?> fields)) {
                continue;
            }
            String name = null;
            long pending = -1;
            long lag = -1;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                String field = text(fields.get(i));
                Object value = fields.get(i + 1);
                switch (field) {
                    case "name" -> name = text(value);
                    case "pending" -> pending = value instanceof Long n ? n : -1;
                    case "lag" -> lag = value instanceof Long n ? n : -1;
                    default -> {
                    }
                }
            }
            if (name != null) {
                groups.put(name, new long[] {pending, lag});
            }
        }
        return groups;
    }

    private static String text(Object value) {
        return value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(value);
    }
}
