package io.pulse.spring.boot.autoconfigure.health;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Pulse's health indicator on Boot 3.5 (whose health API is {@code org.springframework.boot.actuate.health});
 * it shows {@link PulseHealth}'s report as the {@code pulse} component. Thread-safe.
 */
public class Boot3PulseHealthIndicator extends AbstractHealthIndicator implements AutoCloseable {

    private final PulseHealth health;

    public Boot3PulseHealthIndicator(PulseHealth health) {
        super("Pulse health check failed");
        this.health = health;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        PulseHealth.Report report = health.check();
        (report.up() ? builder.up() : builder.down()).withDetails(report.details());
    }

    @Override
    public void close() {
        health.close();
    }
}
