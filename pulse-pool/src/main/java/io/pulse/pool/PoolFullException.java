package io.pulse.pool;

import io.pulse.core.PulseException;

/**
 * Thrown by {@code dispatchJob} when the pool already has {@code maxQueuedJobs} dispatches in flight
 * (accepted but not started yet); nothing was queued. Retry later.
 */
public class PoolFullException extends PulseException {

    private static final long serialVersionUID = 1L;

    public PoolFullException(String message) {
        super(message);
    }
}
