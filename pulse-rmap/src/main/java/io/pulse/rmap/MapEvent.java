package io.pulse.rmap;

/**
 * An immutable record of one change applied to a local replica, delivered to
 * {@link ReplicatedMap#subscribe} listeners in revision order. When a listener receives it, the replica already shows that change.
 *
 * @param kind what happened
 * @param key the changed key; {@code null} for {@link Kind#RESET} and {@link Kind#RESYNC}
 * @param revision the map revision after the change
 */
public record MapEvent(Kind kind, String key, long revision) {

    /** What a {@link MapEvent} reports. */
    public enum Kind {
        /** A key was set (also by {@code inc} and the list operations). */
        CHANGE,
        /** A key was deleted. */
        DELETE,
        /** The map was reset or destroyed: it is now empty. */
        RESET,
        /**
         * The replica re-read the whole map from Redis (after a lost connection, a missed message, or a
         * listener that fell too far behind): individual changes may have been skipped, so read the
         * state you need again.
         */
        RESYNC
    }
}
