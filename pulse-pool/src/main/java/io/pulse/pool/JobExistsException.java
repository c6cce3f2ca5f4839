package io.pulse.pool;

import io.pulse.core.PulseException;

/** Thrown by {@code dispatchJob} when a job with the same key is already running or being dispatched. */
public class JobExistsException extends PulseException {

    private static final long serialVersionUID = 1L;

    public JobExistsException(String message) {
        super(message);
    }
}
