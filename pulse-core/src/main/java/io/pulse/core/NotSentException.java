package io.pulse.core;

/**
 * Thrown (or the cause of a failed future) when a command was never sent to Redis, so it certainly
 * did not run: the connection stayed down for the whole {@code reconnectWait}, or a connection could
 * not be opened. Retrying it cannot apply it twice.
 */
public class NotSentException extends PulseException {

    private static final long serialVersionUID = 1L;

    public NotSentException(String message) {
        super(message);
    }

    public NotSentException(String message, Throwable cause) {
        super(message, cause);
    }
}
