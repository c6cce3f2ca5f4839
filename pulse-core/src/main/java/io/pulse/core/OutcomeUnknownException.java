package io.pulse.core;

/**
 * Thrown (or the cause of a failed future) when a command was sent to Redis but no answer came: the
 * connection broke while it was in flight, or the answer did not arrive within the command timeout.
 * Redis may or may not have run it. Before retrying a write that is not idempotent, read back whether
 * it was applied.
 */
public class OutcomeUnknownException extends PulseException {

    private static final long serialVersionUID = 1L;

    public OutcomeUnknownException(String message) {
        super(message);
    }

    public OutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
