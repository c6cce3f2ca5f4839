package io.pulse.spring.boot.autoconfigure;

import java.time.Duration;

/**
 * The options of one map declared under {@code pulse.maps.<name>}; unset options keep Pulse's defaults.
 * Mutable bean for Spring's binder.
 */
public class MapOptions extends ExpiringOptions {

    /** The longest setAndWait waits for its change to show locally; Pulse's default is 10 s. */
    private Duration setAndWaitTimeout;

    public Duration getSetAndWaitTimeout() {
        return setAndWaitTimeout;
    }

    public void setSetAndWaitTimeout(Duration setAndWaitTimeout) {
        this.setAndWaitTimeout = setAndWaitTimeout;
    }
}
