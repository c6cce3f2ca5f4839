package io.pulse.rmap;

/**
 * Every Redis key and channel name of a replicated map, in one place. They are those of Go Pulse, so
 * Java and Go replicas of one map share them. Stateless.
 */
final class MapKeys {

    /** Hash field holding the map's revision; user keys cannot contain {@code =}, so no clash. */
    static final String REVISION_FIELD = "=rev";
    /** Hash field holding the kind of the last mutation ({@code set}, {@code del}, {@code reset}, {@code destroy}). */
    static final String KIND_FIELD = "=kind";

    private MapKeys() {
    }

    /** The hash with the authoritative content: {@code map:<name>:content}. */
    static String content(String name) {
        return "map:" + name + ":content";
    }

    /** The pub/sub channel carrying every change: {@code map:<name>:updates}. */
    static String updates(String name) {
        return "map:" + name + ":updates";
    }

    /** Whether {@code field} is one of the reserved hash fields rather than a user key. */
    static boolean isReserved(String field) {
        return REVISION_FIELD.equals(field) || KIND_FIELD.equals(field);
    }
}
