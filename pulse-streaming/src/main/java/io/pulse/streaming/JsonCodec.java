package io.pulse.streaming;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Objects;

/**
 * Turns your own types (records, POJOs) into event payloads and back with Jackson, so producers and
 * consumers need no {@code ObjectMapper} code at every call. Thread-safe. The wire type stays
 * {@code byte[]}: consumers in other languages read plain JSON.
 */
public final class JsonCodec {

    /** A codec with Jackson's default settings (records supported). */
    public static final JsonCodec DEFAULT = new JsonCodec(new ObjectMapper().findAndRegisterModules());

    private final ObjectMapper mapper;

    private JsonCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** A codec using {@code mapper} (configure it before passing it; it must not change afterwards). */
    public static JsonCodec with(ObjectMapper mapper) {
        return new JsonCodec(Objects.requireNonNull(mapper, "mapper"));
    }

    /**
     * Encodes {@code value} as JSON.
     *
     * @throws IllegalArgumentException if Jackson cannot serialize it
     */
    public byte[] encode(Object value) {
        Objects.requireNonNull(value, "value");
        try {
            return mapper.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode a " + value.getClass().getName() + " as JSON: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Decodes JSON {@code payload} into {@code type}.
     *
     * @throws IllegalArgumentException if the payload is not JSON of that shape
     */
    public <T> T decode(byte[] payload, Class<T> type) {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(type, "type");
        try {
            return mapper.readValue(payload, type);
        } catch (IOException e) {
            throw new IllegalArgumentException("payload is not a JSON " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
