package io.pulse.pool;

/**
 * The kinds of the events on a pool's streams, as Go Pulse names them: what the pool stream carries
 * (starts, stops, notifications), what node streams carry (workers' acks, dispatch results), and the
 * event that opens every node and worker stream.
 */
enum EventKind {
    /** Start a job (pool stream, then the worker's stream). */
    START("j"),
    /** Stop a job. */
    STOP("s"),
    /** Send a job's handler a notification. */
    NOTIFY("n"),
    /** A worker acknowledges an event routed to it (to the routing node's stream). */
    ACK("a"),
    /** How a start went (to the dispatching node's stream). */
    DISPATCH_RESULT("d"),
    /** Opens a node's or worker's stream. */
    INIT("i");

    private final String code;

    EventKind(String code) {
        this.code = code;
    }

    /** The event name on the wire. */
    String code() {
        return code;
    }

    /** The kind named {@code code} on the wire, or {@code null} for one Pulse does not know. */
    static EventKind of(String code) {
        for (EventKind kind : values()) {
            if (kind.code.equals(code)) {
                return kind;
            }
        }
        return null;
    }
}
