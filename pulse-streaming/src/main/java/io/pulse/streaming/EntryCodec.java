package io.pulse.streaming;

import io.lettuce.core.StreamMessage;
import io.pulse.core.KeyLayout;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The fields of a stream entry as Go Pulse writes them ({@code n} event name, {@code p} payload,
 * {@code t} topic when there is one), followed, when tracing is configured, by the trace context the
 * producer carried (fields with longer names, such as {@code traceparent}, which Go Pulse's readers,
 * looking fields up by name, ignore), and the decoding of entries into {@link Event}s. An entry
 * without {@code n} and {@code p}, for example one another program added, is logged and reported as
 * {@code null} so the caller can skip it (and acknowledge it, for a sink) without stopping. Stateless.
 */
final class EntryCodec {

    private static final byte[] FIELD_NAME = {'n'};
    private static final byte[] FIELD_PAYLOAD = {'p'};
    private static final byte[] FIELD_TOPIC = {'t'};

    private EntryCodec() {
    }

    /** The most trace-context fields an entry carries; more are ignored, on writing and on reading. */
    static final int MAX_TRACE_FIELDS = 8;

    /**
     * The fields of a new entry; {@code topic} is left out when empty, and so is every trace field
     * whose name has fewer than two characters (those are Pulse's own).
     */
    static Map<byte[], byte[]> encode(String eventName, byte[] payload, String topic, Map<String, String> trace) {
        Map<byte[], byte[]> body = new LinkedHashMap<>(4 + trace.size());
        body.put(FIELD_NAME, eventName.getBytes(StandardCharsets.UTF_8));
        body.put(FIELD_PAYLOAD, payload);
        if (!topic.isEmpty()) {
            body.put(FIELD_TOPIC, topic.getBytes(StandardCharsets.UTF_8));
        }
        traceFields(trace).forEach((k, v) -> body.put(k.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8)));
        return body;
    }

    /** The trace fields an entry may carry: at most {@value #MAX_TRACE_FIELDS}, names of two characters or more. */
    static Map<String, String> traceFields(Map<String, String> trace) {
        if (trace.isEmpty()) {
            return trace;
        }
        Map<String, String> kept = new LinkedHashMap<>();
        for (Map.Entry<String, String> field : trace.entrySet()) {
            if (field.getKey().length() > 1 && field.getValue() != null && kept.size() < MAX_TRACE_FIELDS) {
                kept.put(field.getKey(), field.getValue());
            }
        }
        return kept;
    }

    /** The name of the stream an entry was read from. */
    static String streamName(StreamMessage<byte[], byte[]> message, KeyLayout layout) {
        return layout.streamName(new String(message.getStream(), StandardCharsets.UTF_8));
    }

    static Event decode(StreamMessage<byte[], byte[]> message, String sinkName, KeyLayout layout, Logger log) {
        String streamName = streamName(message, layout);
        Map<byte[], byte[]> body = message.getBody();
        byte[] name = null;
        byte[] payload = null;
        byte[] topic = null;
        Map<String, String> trace = Map.of();
        if (body != null) {
            for (Map.Entry<byte[], byte[]> field : body.entrySet()) {
                byte[] k = field.getKey();
                if (k.length != 1) {
                    if (k.length > 1 && trace.size() < MAX_TRACE_FIELDS) {
                        trace = trace.isEmpty() ? new LinkedHashMap<>(4) : trace;
                        trace.put(new String(k, StandardCharsets.UTF_8), new String(field.getValue(), StandardCharsets.UTF_8));
                    }
                    continue;
                }
                if (k[0] == FIELD_NAME[0]) {
                    name = field.getValue();
                } else if (k[0] == FIELD_PAYLOAD[0]) {
                    payload = field.getValue();
                } else if (k[0] == FIELD_TOPIC[0]) {
                    topic = field.getValue();
                }
            }
        }
        if (name == null || payload == null) {
            log.atWarn().addKeyValue("stream", streamName).addKeyValue("id", message.getId())
                    .addKeyValue("sink", sinkName)
                    .log(body == null || body.isEmpty()
                            ? "skipped an entry that no longer exists (trimmed or deleted before it was acknowledged)"
                            : "skipped an entry without Pulse's fields n and p");
            return null;
        }
        return new Event(message.getId(), streamName, sinkName, new String(name, StandardCharsets.UTF_8),
                topic == null ? "" : new String(topic, StandardCharsets.UTF_8), payload, trace);
    }
}
