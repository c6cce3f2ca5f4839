package io.pulse.core;

import java.util.Map;

/**
 * Carries trace context from the code that adds a stream event or dispatches a job to the handler that
 * consumes it, without Pulse knowing any tracing library: an implementation (the {@code pulse-tracing}
 * module's for OpenTelemetry) turns the caller's current context into a few text fields, which Pulse
 * stores beside the event in its stream entry, and runs the consumer's handler inside the context those
 * fields describe. Register one with {@link PulseRedis.Builder#tracePropagation}; without one Pulse
 * adds and reads nothing. Implementations must be thread-safe; both methods run on Pulse's callers'
 * and loops' threads and must not block.
 */
public interface TracePropagation {

    /** The propagation Pulse uses when none is configured: carries nothing. */
    TracePropagation NONE = new TracePropagation() {
        @Override
        public Map<String, String> capture() {
            return Map.of();
        }

        @Override
        public void consume(Map<String, String> carried, String stream, String consumer, Runnable handler) {
            handler.run();
        }
    };

    /**
     * The calling thread's current trace context as fields to carry with an event (for example W3C
     * {@code traceparent} and {@code tracestate}); empty when the caller is in no trace. Field names
     * must be longer than one character (one-character names are Pulse's own); values are text.
     */
    Map<String, String> capture();

    /**
     * Runs {@code handler}, which consumes an event of {@code stream}, inside the context
     * {@code carried} describes (empty: the event carried none), and returns when it returns;
     * exceptions of the handler propagate.
     *
     * @param consumer the sink that consumes the event, or {@code ""} for a reader
     */
    void consume(Map<String, String> carried, String stream, String consumer, Runnable handler);
}
