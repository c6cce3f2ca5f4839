package io.pulse.streaming;

import io.lettuce.core.StreamMessage;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Turns Redis stream entries into {@link Event}s. An entry without the fields Pulse writes ({@code n}
 * and {@code p}), for example one another program added, is logged and reported as {@code null} so
 * the caller can skip it (and acknowledge it, for a sink) without stopping.
 */
final class EntryDecoder {

    private EntryDecoder() {
    }

    static Event decode(StreamMessage<byte[], byte[]> message, String sinkName, Logger log) {
        String streamName = StreamKeys.streamName(new String(message.getStream(), StandardCharsets.UTF_8));
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
                switch (k[0]) {
                    case 'n' -> name = field.getValue();
                    case 'p' -> payload = field.getValue();
                    case 't' -> topic = field.getValue();
                    default -> {
                    }
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
