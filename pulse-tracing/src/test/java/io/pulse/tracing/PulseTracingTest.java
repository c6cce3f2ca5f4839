package io.pulse.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisServerExtension;
import io.pulse.pool.Job;
import io.pulse.pool.JobHandler;
import io.pulse.pool.Node;
import io.pulse.streaming.Event;
import io.pulse.streaming.Reader;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Traces across two {@link PulseRedis} instances (two processes' worth) with the OpenTelemetry SDK and
 * an in-memory exporter, and what tracing writes to the raw stream entries.
 */
class PulseTracingTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    private static final SdkTracerProvider PROVIDER = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build();
    private static final OpenTelemetrySdk OTEL = OpenTelemetrySdk.builder().setTracerProvider(PROVIDER)
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
    private static final Tracer TRACER = OTEL.getTracer("test");
    private static final byte[] PAYLOAD = "{}".getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void forgetSpans() {
        SPANS.reset();
    }

    @AfterAll
    static void shutDown() {
        PROVIDER.shutdown();
    }

    private static PulseRedis traced() {
        return REDIS.track(PulseRedis.builder(REDIS.uri()).tracePropagation(new PulseTracing(OTEL)).connect());
    }

    private static List<String> fieldsOfLastEntry(String streamKey) {
        List<StreamMessage<String, String>> entries = REDIS.cli().xrevrange(streamKey, Range.create("-", "+"),
                io.lettuce.core.Limit.from(1));
        return List.copyOf(entries.get(0).getBody().keySet());
    }

    @Test
    void oneTraceSpansTheProducerTheStreamAndTheSinkHandlerOfAnotherProcess() throws Exception {
        String name = RedisServerExtension.uniqueName("traced");
        Stream producerSide = Stream.open(name, traced());
        Sink sink = Stream.open(name, traced()).sink("audit").startAtOldest().blockDuration(Duration.ofMillis(100)).open();
        CompletableFuture<SpanContext> handled = new CompletableFuture<>();
        sink.subscribe(event -> {
            handled.complete(Span.current().getSpanContext());
            sink.ack(event);
        });
        Span request = TRACER.spanBuilder("signup").startSpan();
        try (Scope scope = request.makeCurrent()) {
            producerSide.add("user.created", PAYLOAD);
        } finally {
            request.end();
        }
        SpanContext inHandler = handled.get(20, TimeUnit.SECONDS);
        assertThat(inHandler.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
        await().atMost(Duration.ofSeconds(10)).until(() -> SPANS.getFinishedSpanItems().size() == 2);
        SpanData consumer = SPANS.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.CONSUMER)
                .findFirst().orElseThrow();
        assertThat(consumer.getName()).isEqualTo("process " + name);
        assertThat(consumer.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        assertThat(consumer.getSpanId()).isEqualTo(inHandler.getSpanId());
        assertThat(consumer.getAttributes().asMap().toString()).contains("messaging.consumer.group.name=audit");
        sink.close();
    }

    @Test
    void aDispatchAndTheWorkersStartOfAnotherProcessShareOneTrace() throws Exception {
        String pool = RedisServerExtension.uniqueName("traced");
        CompletableFuture<SpanContext> started = new CompletableFuture<>();
        Node worker = Node.builder(pool, traced()).workerTtl(Duration.ofSeconds(2)).ackGracePeriod(Duration.ofSeconds(1))
                .jobSinkBlockDuration(Duration.ofMillis(200)).join();
        worker.addWorker(new JobHandler() {
            @Override
            public void start(Job job) {
                started.complete(Span.current().getSpanContext());
            }

            @Override
            public void stop(String key) {
            }
        });
        Node producer = Node.builder(pool, traced()).clientOnly().workerTtl(Duration.ofSeconds(2))
                .ackGracePeriod(Duration.ofSeconds(1)).jobSinkBlockDuration(Duration.ofMillis(200)).join();
        Span request = TRACER.spanBuilder("order").startSpan();
        try (Scope scope = request.makeCurrent()) {
            producer.dispatchJob("order-1", PAYLOAD);
        } finally {
            request.end();
        }
        SpanContext inStart = started.get(20, TimeUnit.SECONDS);
        assertThat(inStart.isValid()).isTrue();
        assertThat(inStart.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
        // dispatch -> the router's span on the pool stream -> the worker's span on its own stream
        SpanData workerSpan = await().atMost(Duration.ofSeconds(10)).until(() -> SPANS.getFinishedSpanItems().stream()
                .filter(s -> s.getSpanId().equals(inStart.getSpanId())).findFirst().orElse(null), s -> s != null);
        SpanData routerSpan = SPANS.getFinishedSpanItems().stream()
                .filter(s -> s.getSpanId().equals(workerSpan.getParentSpanId())).findFirst().orElseThrow();
        assertThat(routerSpan.getName()).isEqualTo("process " + REDIS.newPulseRedis().layout().poolStream(pool));
        assertThat(routerSpan.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        producer.close();
        worker.close();
    }

    @Test
    void entriesCarryTheContextAfterGoPulsesFieldsOnlyWhenTheCallerIsInATrace() {
        PulseRedis redis = traced();
        String name = RedisServerExtension.uniqueName("raw");
        Stream stream = Stream.open(name, redis);
        String key = redis.layout().streamKey(name);
        stream.add("untraced", PAYLOAD);
        assertThat(fieldsOfLastEntry(key)).containsExactly("n", "p");
        Span span = TRACER.spanBuilder("caller").startSpan();
        try (Scope scope = span.makeCurrent()) {
            stream.add("traced", PAYLOAD, io.pulse.streaming.AddOptions.topic("t1"));
        } finally {
            span.end();
        }
        assertThat(fieldsOfLastEntry(key)).containsExactly("n", "p", "t", "traceparent");
        String traceparent = REDIS.cli().xrevrange(key, Range.create("-", "+"), io.lettuce.core.Limit.from(1)).get(0)
                .getBody().get("traceparent");
        assertThat(traceparent).contains(span.getSpanContext().getTraceId()).contains(span.getSpanContext().getSpanId());
    }

    @Test
    void withoutATracePropagationNothingIsAddedEvenInsideATrace() {
        PulseRedis redis = REDIS.newPulseRedis();
        String name = RedisServerExtension.uniqueName("plain");
        Stream stream = Stream.open(name, redis);
        Span span = TRACER.spanBuilder("caller").startSpan();
        try (Scope scope = span.makeCurrent()) {
            stream.add("event", PAYLOAD);
        } finally {
            span.end();
        }
        assertThat(fieldsOfLastEntry(redis.layout().streamKey(name))).containsExactly("n", "p");
    }

    @Test
    void streamsWithATtlCarryTheContextToo() {
        PulseRedis redis = traced();
        String name = RedisServerExtension.uniqueName("expiring");
        Stream stream = Stream.builder(name, redis).ttl(Duration.ofMinutes(5)).open();
        Span span = TRACER.spanBuilder("caller").startSpan();
        try (Scope scope = span.makeCurrent()) {
            stream.add("event", PAYLOAD);
        } finally {
            span.end();
        }
        assertThat(fieldsOfLastEntry(redis.layout().streamKey(name))).containsExactly("n", "p", "traceparent");
        assertThat(REDIS.cli().pttl(redis.layout().streamKey(name))).isPositive();
    }

    @Test
    void aPulledEventsTraceCanBeContinuedWithItsContext() {
        PulseRedis redis = traced();
        String name = RedisServerExtension.uniqueName("pulled");
        Stream stream = Stream.open(name, redis);
        Reader reader = stream.reader().startAtOldest().blockDuration(Duration.ofMillis(100)).open();
        Span span = TRACER.spanBuilder("caller").startSpan();
        try (Scope scope = span.makeCurrent()) {
            stream.add("event", PAYLOAD);
        } finally {
            span.end();
        }
        List<Event> events = await().atMost(Duration.ofSeconds(10)).until(reader::read, l -> !l.isEmpty());
        Span continued = Span.fromContext(new PulseTracing(OTEL).contextOf(events.get(0).traceContext()));
        assertThat(continued.getSpanContext().getTraceId()).isEqualTo(span.getSpanContext().getTraceId());
        assertThat(continued.getSpanContext().getSpanId()).isEqualTo(span.getSpanContext().getSpanId());
        reader.close();
    }
}
