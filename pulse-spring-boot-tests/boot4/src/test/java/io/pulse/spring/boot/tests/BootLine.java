package io.pulse.spring.boot.tests;

/** What the shared tests need to know about the Boot line this module runs them on: Boot 4.0. */
public final class BootLine {

    /** The Boot line's health indicator interface, which Pulse's indicator must implement. */
    public static final String HEALTH_INDICATOR = "org.springframework.boot.health.contributor.HealthIndicator";

    /** Spring Data Redis's auto-configuration on this line. */
    public static final String DATA_REDIS_AUTO_CONFIGURATION = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration";

    /** The Boot version the module's parent names. */
    public static final String VERSION = "4.0";

    private BootLine() {
    }
}
