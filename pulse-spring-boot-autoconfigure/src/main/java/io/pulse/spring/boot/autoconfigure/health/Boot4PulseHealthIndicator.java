package io.pulse.spring.boot.autoconfigure.health;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Pulse's health indicator on Boot 4 (whose health API moved to {@code org.springframework.boot.health});
 * it shows {@link PulseHealth}'s report as the {@code pulse} component. Thread-safe.
 */
public class Boot4PulseHealthIndicator extends AbstractHealthIndicator implements AutoCloseable {

    private final PulseHealth health;

    public Boot4PulseHealthIndicator(PulseHealth health) {
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
