package io.pulse.rmap.internal;

/**
 * The parts of the replicated-map wire format that are not key names (those come from the layout):
 * the reserved hash fields beside the user's keys. Go Pulse's, so Java and Go replicas share a map.
 * Stateless. Not API.
 */
public final class MapProtocol {

    /** Hash field holding the map's revision; user keys cannot contain {@code =}, so no clash. */
    public static final String REVISION_FIELD = "=rev";
    /** Hash field holding the kind of the last mutation ({@code set}, {@code del}, {@code reset}, {@code destroy}). */
    public static final String KIND_FIELD = "=kind";

    private MapProtocol() {
    }

    /** Whether {@code field} is one of the reserved hash fields rather than a user key. */
    public static boolean isReservedField(String field) {
        return REVISION_FIELD.equals(field) || KIND_FIELD.equals(field);
    }
}
