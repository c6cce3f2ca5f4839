package io.pulse.core.internal;

import io.pulse.core.OutcomeUnknownException;
import io.pulse.core.PulseException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Stateless helpers that turn Pulse's async results into blocking calls with bounded waits. */
public final class Futures {

    private Futures() {
    }

    /**
     * Waits at most {@code timeout} for {@code future} and returns its value.
     *
     * <p>A {@link RuntimeException} the future failed with is rethrown as is (so named exceptions keep
     * their type); any other failure is wrapped in {@link PulseException}. If the wait times out, an
     * {@link OutcomeUnknownException} says so (the work may still complete); if the thread is interrupted
     * its interrupt flag is restored and an {@link OutcomeUnknownException} caused by the
     * {@link InterruptedException} is thrown.
     */
    public static <T> T await(CompletableFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutcomeUnknownException(what + ": interrupted while waiting for the answer", e);
        } catch (ExecutionException e) {
            throw rethrowable(e.getCause(), what);
        } catch (TimeoutException e) {
            throw new OutcomeUnknownException(what + ": no answer within " + timeout + "; it may still complete", e);
        }
    }

    /** Returns {@code t} (unwrapped from completion wrappers) as an unchecked exception to throw. */
    public static RuntimeException rethrowable(Throwable t, String what) {
        Throwable cause = unwrap(t);
        if (cause instanceof RuntimeException) {
            return (RuntimeException) cause;
        }
        if (cause instanceof Error) {
            throw (Error) cause;
        }
        return new PulseException(what + ": " + cause, cause);
    }

    /** Strips {@link CompletionException} and {@link ExecutionException} layers. */
    public static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** Returns a future already failed with {@code t}. */
    public static <T> CompletableFuture<T> failed(Throwable t) {
        return CompletableFuture.failedFuture(t);
    }

    /** For events: the simple class name of what made a future fail, or {@code ""} if {@code t} is null. */
    public static String failureName(Throwable t) {
        return t == null ? "" : unwrap(t).getClass().getSimpleName();
    }
}
