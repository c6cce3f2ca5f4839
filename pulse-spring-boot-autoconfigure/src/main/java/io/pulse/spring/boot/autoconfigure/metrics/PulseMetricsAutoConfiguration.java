package io.pulse.spring.boot.autoconfigure.metrics;

import io.pulse.core.PulseRedis;
import io.pulse.spring.boot.autoconfigure.PulseAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;

/**
 * Where Pulse's Micrometer binder is registered once it exists: this auto-configuration matches when
 * Micrometer and {@code io.pulse.micrometer.PulseMetrics} (the {@code MeterBinder} of the
 * {@code pulse-micrometer} module) are on the class path and a {@link PulseRedis} bean exists. Boot binds
 * every {@code MeterBinder} bean to its registries by itself, on 3.5 and 4.0 alike, so all that remains
 * to add here is the bean: {@code @Bean @ConditionalOnMissingBean PulseMetrics pulseMetrics(PulseRedis)}.
 * The class names are given as strings so that this module compiles and runs without that module.
 */
@AutoConfiguration(after = PulseAutoConfiguration.class, afterName = {
        "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration"})
@ConditionalOnClass(name = {PulseMetricsAutoConfiguration.METER_REGISTRY, PulseMetricsAutoConfiguration.PULSE_METRICS})
@ConditionalOnBean(PulseRedis.class)
public class PulseMetricsAutoConfiguration {

    static final String METER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";
    static final String PULSE_METRICS = "io.pulse.micrometer.PulseMetrics";
}
