package io.pulse.spring.boot.autoconfigure;

import java.time.Duration;

/**
 * The options of one stream declared under {@code pulse.streams.<name>}; unset options keep Pulse's
 * defaults. Mutable bean for Spring's binder.
 */
public class StreamOptions {

    /** Whether to open the stream; {@code pulse.streams.<name>.enabled=true} declares one with all defaults. */
    private boolean enabled = true;

    /** About how many events the stream keeps (0 keeps all); Pulse's default is 1000. */
    private Long maxLen;

    /** The stream expires this long after it was created. */
    private Duration ttl;

    /** The stream expires this long after its last add. */
    private Duration slidingTtl;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Long getMaxLen() {
        return maxLen;
    }

    public void setMaxLen(Long maxLen) {
        this.maxLen = maxLen;
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
}
