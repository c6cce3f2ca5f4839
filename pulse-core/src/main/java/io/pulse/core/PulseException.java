package io.pulse.core;

/**
 * Unchecked exception for every Redis or protocol failure Pulse reports; the cause, when there is one,
 * is the underlying Lettuce or I/O error.
 *
 * <p>Its subtypes say what became of the command: {@link NotSentException} (never sent, safe to
 * retry), {@link OutcomeUnknownException} (sent, no answer: it may have run) and
 * {@link ClosedException} (the component or facade was closed; nothing was sent). A plain
 * {@code PulseException} means Redis answered with an error, or the failure is not about one command.
 * Async variants of Pulse operations complete exceptionally with the same types as their blocking
 * twins. Programming errors are reported with {@link IllegalArgumentException} or
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

    /**
     * Returns an exception with {@code message} and {@code cause} of the same outcome type as
     * {@code cause} ({@link NotSentException}, {@link OutcomeUnknownException} or a plain
     * {@code PulseException}); a {@link ClosedException} cause is returned as is. Components use it to
     * add context without losing what the caller needs to decide on a retry.
     */
    public static PulseException withContext(String message, Throwable cause) {
        if (cause instanceof ClosedException closed) {
            return closed;
        }
        if (cause instanceof NotSentException) {
            return new NotSentException(message, cause);
        }
        if (cause instanceof OutcomeUnknownException) {
            return new OutcomeUnknownException(message, cause);
        }
        return new PulseException(message, cause);
    }
}
