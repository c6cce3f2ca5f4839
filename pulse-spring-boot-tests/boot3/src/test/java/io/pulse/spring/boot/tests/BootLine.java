package io.pulse.spring.boot.tests;

/** What the shared tests need to know about the Boot line this module runs them on: Boot 3.5. */
public final class BootLine {

    /** The Boot line's health indicator interface, which Pulse's indicator must implement. */
    public static final String HEALTH_INDICATOR = "org.springframework.boot.actuate.health.HealthIndicator";

    /** Spring Data Redis's auto-configuration on this line. */
    public static final String DATA_REDIS_AUTO_CONFIGURATION = "org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration";

    /** The Boot version the module's parent names. */
    public static final String VERSION = "3.5";

    private BootLine() {
    }
}
