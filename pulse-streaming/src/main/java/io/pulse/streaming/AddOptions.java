package io.pulse.streaming;

import io.pulse.core.internal.Names;
import java.util.Map;
import java.util.Objects;

/**
 * Options of one {@link Stream#add}: a topic, whether to refuse to create a missing stream, and the
 * trace context to carry. Immutable; combine with {@link #and(AddOptions)}.
 */
public final class AddOptions {

    static final AddOptions NONE = new AddOptions("", false, null);

    private final String topic;
    private final boolean onlyIfStreamExists;
    /** Null: the caller's current context, as the configured trace propagation captures it. */
    private final Map<String, String> traceContext;

    private AddOptions(String topic, boolean onlyIfStreamExists, Map<String, String> traceContext) {
        this.topic = topic;
        this.onlyIfStreamExists = onlyIfStreamExists;
        this.traceContext = traceContext;
    }

    /**
     * Tags the event with {@code topic}, which readers and sinks can filter on.
     *
     * @throws IllegalArgumentException if {@code topic} holds a lone surrogate (it cannot be UTF-8)
     */
    public static AddOptions topic(String topic) {
        return new AddOptions(Names.requireWellFormed("topic", topic), false, null);
    }

    /** Adds the event only if the stream exists; {@code add} then returns {@code null} otherwise. */
    public static AddOptions onlyIfStreamExists() {
        return new AddOptions("", true, null);
    }

    /**
     * Carries {@code fields} as the event's trace context instead of the calling thread's current one:
     * for adds made on another thread than the one the trace runs on (an asynchronous continuation),
     * with fields captured earlier by {@link io.pulse.core.TracePropagation#capture()}. An empty map
     * carries nothing; names of fewer than two characters are dropped, and more than 8 fields.
     *
     * @throws NullPointerException if {@code fields} or one of its names or values is null
     */
    public static AddOptions traceContext(Map<String, String> fields) {
        return new AddOptions("", false, Map.copyOf(Objects.requireNonNull(fields, "fields")));
    }

    /** These options plus {@code other}'s (a non-empty topic of {@code other} wins). */
    public AddOptions and(AddOptions other) {
        Objects.requireNonNull(other, "other");
        return new AddOptions(other.topic.isEmpty() ? topic : other.topic, onlyIfStreamExists || other.onlyIfStreamExists,
                other.traceContext == null ? traceContext : other.traceContext);
    }

    /** The trace context to carry, or {@code null} for the caller's current one. */
    Map<String, String> traceContextValue() {
        return traceContext;
    }

    String topicValue() {
        return topic;
    }

    boolean onlyIfExists() {
        return onlyIfStreamExists;
    }
}
