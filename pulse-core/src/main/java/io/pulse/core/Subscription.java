package io.pulse.core;

/**
 * A handle on a registered callback; {@link #close()} unregisters it, is idempotent, may be called from
 * any thread (including the callback itself) and never throws.
 */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

    /** Stops delivery to the callback. Events already being delivered may still complete. */
    @Override
    void close();
}
