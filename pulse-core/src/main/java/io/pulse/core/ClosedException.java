package io.pulse.core;

/**
 * Thrown when an operation is attempted on a Pulse component (or the {@link PulseRedis} it was created
 * from) after it was closed; nothing was sent to Redis.
 */
public class ClosedException extends PulseException {

    private static final long serialVersionUID = 1L;

    public ClosedException(String message) {
        super(message);
    }
}
