package io.pulse.micrometer;

/**
 * Stands in, on the test class path only, for the Micrometer binder of the future pulse-micrometer
 * module, so that the tests can show the metrics auto-configuration matching when the binder is there
 * (and, hiding this class, not matching when it is not). Remove it once that module exists.
 */
public final class PulseMetrics {

    private PulseMetrics() {
    }
}
