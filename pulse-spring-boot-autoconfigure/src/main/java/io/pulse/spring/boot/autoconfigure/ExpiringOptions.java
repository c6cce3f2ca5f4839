package io.pulse.spring.boot.autoconfigure;

import java.time.Duration;

/**
 * The expiry options maps and streams share: a fixed or a sliding TTL, at most one of them. Mutable bean
 * for Spring's binder.
 */
public class ExpiringOptions extends ComponentOptions {

    /** The key expires this long after it was created (a map: after its first write, again after a reset). */
    private Duration ttl;

    /** The key expires this long after its last write. */
    private Duration slidingTtl;

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

    /**
     * Checks that at most one TTL is set.
     *
     * @throws IllegalArgumentException naming {@code property} if both are
     */
    void requireOneTtl(String property) {
        if (ttl != null && slidingTtl != null) {
            throw new IllegalArgumentException(property + ": set ttl or sliding-ttl, not both");
        }
    }
}
