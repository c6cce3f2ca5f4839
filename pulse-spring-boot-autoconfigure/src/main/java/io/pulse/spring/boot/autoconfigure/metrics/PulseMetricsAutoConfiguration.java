package io.pulse.spring.boot.autoconfigure.metrics;

import io.pulse.core.PulseRedis;
import io.pulse.micrometer.PulseMetrics;
import io.pulse.spring.boot.autoconfigure.PulseAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Publishes Pulse's meters when Micrometer and the {@code pulse-micrometer} module are on the class
 * path and the application has a {@link PulseRedis} and a {@code MeterRegistry}: it declares a
 * {@link PulseMetrics} bean, which Boot binds to its registry by itself (on 3.5 and 4.0 alike, since
 * it is a {@code MeterBinder}) and closes, removing its meters, before the {@code PulseRedis}. An
 * application that declares its own {@code PulseMetrics} (for example with per-worker meters) keeps it.
 * Class names are given as strings so that this module loads without either library.
 */
@AutoConfiguration(after = PulseAutoConfiguration.class, afterName = {
        "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnClass(name = {PulseMetricsAutoConfiguration.METER_REGISTRY, PulseMetricsAutoConfiguration.PULSE_METRICS})
@ConditionalOnBean(PulseRedis.class)
public class PulseMetricsAutoConfiguration {

    static final String METER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";
    static final String PULSE_METRICS = "io.pulse.micrometer.PulseMetrics";

    /** The binder of the application's {@link PulseRedis}; bound to the registry by Boot. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(type = METER_REGISTRY)
    public PulseMetrics pulseMetrics(PulseRedis redis) {
        return new PulseMetrics(redis);
    }
}
