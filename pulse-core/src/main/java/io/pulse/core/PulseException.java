package io.pulse.core;

/**
 * Unchecked exception for every Redis or protocol failure Pulse reports; the cause, when there is one,
 * is the underlying Lettuce or I/O error.
 *
 * <p>Async variants of Pulse operations complete exceptionally with this type (or a subtype such as
 * {@link ClosedException}). Programming errors are reported with {@link IllegalArgumentException} or
 * {@link NullPointerException} instead, before any Redis I/O.
 */
public class PulseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PulseException(String message) {
        super(message);
    }

    public PulseException(String message, Throwable cause) {
        super(message, cause);
    }
}
