package io.pulse.pool;

import java.util.Objects;

/**
 * A job a schedule wants running: its key and payload. Immutable (do not change the array).
 *
 * @param key the job key
 * @param payload the payload to dispatch it with
 */
public record JobSpec(String key, byte[] payload) {

    public JobSpec {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(payload, "payload");
    }
}
