package io.pulse.streaming;

import io.pulse.core.internal.Names;
import java.util.Objects;

/**
 * Options of one {@link Stream#add}: a topic, and whether to refuse to create a missing stream.
 * Immutable; combine with {@link #and(AddOptions)}.
 */
public final class AddOptions {

    static final AddOptions NONE = new AddOptions("", false);

    private final String topic;
    private final boolean onlyIfStreamExists;

    private AddOptions(String topic, boolean onlyIfStreamExists) {
        this.topic = topic;
        this.onlyIfStreamExists = onlyIfStreamExists;
    }

    /**
     * Tags the event with {@code topic}, which readers and sinks can filter on.
     *
     * @throws IllegalArgumentException if {@code topic} holds a lone surrogate (it cannot be UTF-8)
     */
    public static AddOptions topic(String topic) {
        return new AddOptions(Names.requireWellFormed("topic", topic), false);
    }

    /** Adds the event only if the stream exists; {@code add} then returns {@code null} otherwise. */
    public static AddOptions onlyIfStreamExists() {
        return new AddOptions("", true);
    }

    /** These options plus {@code other}'s (a non-empty topic of {@code other} wins). */
    public AddOptions and(AddOptions other) {
        Objects.requireNonNull(other, "other");
        return new AddOptions(other.topic.isEmpty() ? topic : other.topic, onlyIfStreamExists || other.onlyIfStreamExists);
    }

    String topicValue() {
        return topic;
    }

    boolean onlyIfExists() {
        return onlyIfStreamExists;
    }
}
