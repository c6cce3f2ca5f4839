package io.pulse.core.internal;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.pulse.core.NotSentException;
import io.pulse.core.OutcomeUnknownException;
import io.pulse.core.PulseException;
import java.io.IOException;

/**
 * Sorts Lettuce's failures by what became of the command, so that callers get
 * {@link NotSentException}, {@link OutcomeUnknownException} or a plain {@link PulseException}
 * (Redis answered with an error). Stateless.
 */
final class Outcomes {

    /** Lettuce's message for a command refused because the connection is down (it was never written). */
    static final String REJECTED = "Currently not connected. Commands are rejected.";

    private Outcomes() {
    }

    /** Whether Lettuce refused {@code error}'s command before writing it (the connection was down). */
    static boolean neverSent(Throwable error) {
        Throwable cause = Futures.unwrap(error);
        return cause instanceof RedisException && REJECTED.equals(cause.getMessage());
    }

    /** The exception Pulse reports for {@code what} failing with {@code error}. */
    static PulseException classify(String what, Throwable error) {
        Throwable cause = Futures.unwrap(error);
        if (cause instanceof PulseException pulse) {
            String message = pulse.getMessage();
            return message != null && message.startsWith(what) ? pulse
                    : PulseException.withContext(what + ": " + message, pulse);
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (neverSent(cause)) {
            return new NotSentException(what + ": not sent, Redis is unreachable (" + message + ")", cause);
        }
        if (cause instanceof RedisConnectionException) {
            return new NotSentException(what + ": not sent: " + message, cause);
        }
        if (cause instanceof RedisCommandTimeoutException) {
            return new OutcomeUnknownException(what + ": sent, but no answer within the command timeout; "
                    + "it may have run (" + message + ")", cause);
        }
        if (cause instanceof RedisCommandExecutionException) {
            return new PulseException(what + ": " + message, cause);
        }
        if (cause instanceof RedisException || cause instanceof IOException) {
            return new OutcomeUnknownException(what + ": sent, but the connection broke before the answer; "
                    + "it may have run (" + message + ")", cause);
        }
        return new PulseException(what + ": " + message, cause);
    }
}
