package io.pulse.spring.boot.autoconfigure.health;

import io.pulse.core.PulseRedis;
import io.pulse.spring.boot.autoconfigure.PulseAutoConfiguration;
import io.pulse.spring.boot.autoconfigure.PulsePools;
import io.pulse.spring.boot.autoconfigure.PulseProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code pulse} health indicator where the Actuator of Boot 3.5 is on the class path; switched off
 * with {@code management.health.pulse.enabled=false}. Boot 4's counterpart is
 * {@link PulseHealthBoot4AutoConfiguration}; at most one of them matches.
 */
@AutoConfiguration(after = PulseAutoConfiguration.class)
@ConditionalOnClass(name = PulseHealthBoot3AutoConfiguration.HEALTH_INDICATOR)
@ConditionalOnBean(PulseRedis.class)
public class PulseHealthBoot3AutoConfiguration {

    static final String HEALTH_INDICATOR = "org.springframework.boot.actuate.health.HealthIndicator";

    // on the method, not the class: its condition class is only loaded once the health API is known present
    @Bean
    @ConditionalOnEnabledHealthIndicator("pulse")
    @ConditionalOnMissingBean(name = "pulseHealthIndicator")
    public Boot3PulseHealthIndicator pulseHealthIndicator(PulseRedis redis, ObjectProvider<PulsePools> pools,
            PulseProperties properties) {
        return new Boot3PulseHealthIndicator(new PulseHealth(redis, pools.getIfAvailable(), properties));
    }
}
