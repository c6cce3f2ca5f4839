package io.pulse.spring.boot.autoconfigure;

/**
 * The options of one stream declared under {@code pulse.streams.<name>}; unset options keep Pulse's
 * defaults. Mutable bean for Spring's binder.
 */
public class StreamOptions extends ExpiringOptions {

    /** About how many events the stream keeps (0 keeps all); Pulse's default is 1000. */
    private Long maxLen;

    public Long getMaxLen() {
        return maxLen;
    }

    public void setMaxLen(Long maxLen) {
        this.maxLen = maxLen;
    }
}
