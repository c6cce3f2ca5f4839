package io.pulse.pool;

import io.pulse.core.PulseException;

/**
 * Thrown by {@code dispatchJob} when the worker's {@link JobHandler#start} threw; the message carries
 * the handler's error message (its type does not cross processes).
 */
public class JobStartException extends PulseException {

    private static final long serialVersionUID = 1L;

    public JobStartException(String message) {
        super(message);
    }
}
