package io.pulse.spring.boot.autoconfigure;

import java.time.Duration;

/**
 * The options of one map declared under {@code pulse.maps.<name>}; unset options keep Pulse's defaults.
 * Mutable bean for Spring's binder.
 */
public class MapOptions {

    /** Whether to join the map; {@code pulse.maps.<name>.enabled=true} declares a map with all defaults. */
    private boolean enabled = true;

    /** The map's hash expires this long after its first write (again after a reset). */
    private Duration ttl;

    /** The map's hash expires this long after its last write. */
    private Duration slidingTtl;

    /** The longest setAndWait waits for its change to show locally; Pulse's default is 10 s. */
    private Duration setAndWaitTimeout;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Duration getTtl() {
        return ttl;
    }

    public void setTtl(Duration ttl) {
        this.ttl = ttl;
    }

    public Duration getSlidingTtl() {
        return slidingTtl;
    }

    public void setSlidingTtl(Duration slidingTtl) {
        this.slidingTtl = slidingTtl;
    }

    public Duration getSetAndWaitTimeout() {
        return setAndWaitTimeout;
    }

    public void setSetAndWaitTimeout(Duration setAndWaitTimeout) {
        this.setAndWaitTimeout = setAndWaitTimeout;
    }
}
