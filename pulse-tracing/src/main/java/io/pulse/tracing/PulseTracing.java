package io.pulse.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.pulse.core.TracePropagation;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * OpenTelemetry for Pulse: the trace context of the code that adds a stream event (or dispatches a
 * pool job) travels with it, and the handler of a push subscription (a reader's, a sink's, a pool
 * worker's {@code JobHandler.start}) runs in a {@code CONSUMER} span whose parent is that context, so
 * one trace shows the producer and every consumer. Thread-safe.
 *
 * <p>Use: {@code PulseRedis.builder(uri).tracePropagation(new PulseTracing(openTelemetry)).connect()}.
 * The context is written with the {@code OpenTelemetry}'s own propagator (W3C {@code traceparent} and
 * {@code tracestate} by default) as extra fields of the stream entry, only when the caller is in a
 * trace. After a pull read, continue an event's trace with {@link #contextOf(Map)
 * contextOf(event.traceContext())}.
 */
public final class PulseTracing implements TracePropagation {

    /** The instrumentation scope of Pulse's spans. */
    public static final String INSTRUMENTATION = "io.pulse";

    private static final TextMapGetter<Map<String, String>> FROM_MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final TextMapPropagator propagator;
    private final Tracer tracer;

    /** Propagates with {@code openTelemetry}'s text-map propagator and traces with its tracer provider. */
    public PulseTracing(OpenTelemetry openTelemetry) {
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
        this.tracer = openTelemetry.getTracer(INSTRUMENTATION);
    }

    /** The current context's fields, or an empty map when the calling thread is in no trace. */
    @Override
    public Map<String, String> capture() {
        Context current = Context.current();
        if (!Span.fromContext(current).getSpanContext().isValid()) {
            return Map.of();
        }
        Map<String, String> fields = new HashMap<>(4);
        propagator.inject(current, fields, (carrier, key, value) -> carrier.put(key, value));
        return fields;
    }

    /**
     * Runs {@code handler} in a {@code CONSUMER} span named {@code process <stream>}, child of the
     * carried context, with the messaging attributes of OpenTelemetry's conventions; an exception of
     * the handler is recorded on the span and rethrown. An event that carried no context (its producer
     * was in no trace, or is a Go node) is handled outside any span, so Pulse's own traffic adds no
     * traces of its own.
     */
    @Override
    public void consume(Map<String, String> carried, String stream, String consumer, Runnable handler) {
        if (carried.isEmpty()) {
            handler.run();
            return;
        }
        Span span = tracer.spanBuilder("process " + stream).setSpanKind(SpanKind.CONSUMER)
                .setParent(contextOf(carried))
                .setAttribute("messaging.system", "pulse")
                .setAttribute("messaging.operation.type", "process")
                .setAttribute("messaging.destination.name", stream)
                .startSpan();
        if (!consumer.isEmpty()) {
            span.setAttribute("messaging.consumer.group.name", consumer);
        }
        try (Scope scope = span.makeCurrent()) {
            handler.run();
        } catch (RuntimeException | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }

    /**
     * The context {@code carried} (an event's {@code traceContext()}) describes, on top of the root
     * context; the root context itself when it carries none. For handlers of pulled events:
     * {@code try (Scope s = tracing.contextOf(event.traceContext()).makeCurrent()) { ... }}.
     */
    public Context contextOf(Map<String, String> carried) {
        Objects.requireNonNull(carried, "carried");
        if (carried.isEmpty()) {
            return Context.root();
        }
        return propagator.extract(Context.root(), carried, FROM_MAP);
    }
}
