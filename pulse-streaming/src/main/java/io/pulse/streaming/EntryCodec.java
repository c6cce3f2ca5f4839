package io.pulse.streaming;

import io.lettuce.core.StreamMessage;
import io.pulse.core.KeyLayout;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The fields of a stream entry as Go Pulse writes them ({@code n} event name, {@code p} payload,
 * {@code t} topic when there is one), and the decoding of entries into {@link Event}s. An entry
 * without {@code n} and {@code p}, for example one another program added, is logged and reported as
 * {@code null} so the caller can skip it (and acknowledge it, for a sink) without stopping. Stateless.
 */
final class EntryCodec {

    private static final byte[] FIELD_NAME = {'n'};
    private static final byte[] FIELD_PAYLOAD = {'p'};
    private static final byte[] FIELD_TOPIC = {'t'};

    private EntryCodec() {
    }

    /** The fields of a new entry; {@code topic} is left out when empty. */
    static Map<byte[], byte[]> encode(String eventName, byte[] payload, String topic) {
        Map<byte[], byte[]> body = new LinkedHashMap<>(4);
        body.put(FIELD_NAME, eventName.getBytes(StandardCharsets.UTF_8));
        body.put(FIELD_PAYLOAD, payload);
        if (!topic.isEmpty()) {
            body.put(FIELD_TOPIC, topic.getBytes(StandardCharsets.UTF_8));
        }
        return body;
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
        if (body != null) {
            for (Map.Entry<byte[], byte[]> field : body.entrySet()) {
                byte[] k = field.getKey();
                if (k.length != 1) {
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
                topic == null ? "" : new String(topic, StandardCharsets.UTF_8), payload);
    }
}
