package io.pulse.spring.boot.autoconfigure;

import io.pulse.core.PulseRedis;

/**
 * Adjusts the builder of the auto-configured {@link PulseRedis} before it connects, for what properties
 * do not express (for example TLS: {@code builder.ssl(SslOptions...)}). Beans of this type are applied
 * in {@link org.springframework.core.annotation.Order} order, on the thread that creates the bean.
 */
@FunctionalInterface
public interface PulseRedisBuilderCustomizer {

    /** Changes {@code builder}; must not connect it. */
    void customize(PulseRedis.Builder builder);
}
