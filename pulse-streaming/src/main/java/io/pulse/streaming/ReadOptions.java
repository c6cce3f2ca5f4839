package io.pulse.streaming;

import io.pulse.core.internal.Args;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The options readers and sinks share: where reading starts, how long a read blocks, how many events
 * it returns, and which topics are kept. Not thread-safe; each setter returns the builder it belongs
 * to. For a sink, the start position only matters to the instance that creates the sink's group, and
 * events a topic filter drops are acknowledged unread.
 *
 * @param <B> the concrete builder
 */
abstract class ReadOptions<B extends ReadOptions<B>> {

    StartPosition start = StartPosition.NEWEST;
    Duration block = Duration.ofSeconds(5);
    int maxPolled = 1000;
    int bufferSize = 1000;
    private TopicFilter exactTopic;
    private TopicFilter pattern;

    abstract B self();

    /** Start after the newest event when opened (the default): only new events. */
    public B startAtNewest() {
        this.start = StartPosition.NEWEST;
        return self();
    }

    /** Start at the oldest event the stream still holds. */
    public B startAtOldest() {
        this.start = StartPosition.OLDEST;
        return self();
    }

    /**
     * Start with the first event after {@code id}.
     *
     * @throws IllegalArgumentException if {@code id} is not a stream entry id
     */
    public B startAfter(String id) {
        this.start = StartPosition.after(id);
        return self();
    }

    /** Start with the first event added at or after {@code time}. */
    public B startAt(Instant time) {
        this.start = StartPosition.at(time);
        return self();
    }

    /** How long one read waits for events (default 5 s; must be positive). */
    public B blockDuration(Duration block) {
        this.block = Args.positive("blockDuration", block);
        return self();
    }

    /** The most events one read returns (default 1,000). */
    public B maxPolled(int maxPolled) {
        this.maxPolled = Args.atLeastOne("maxPolled", maxPolled);
        return self();
    }

    /** The most events a push subscription fetches at once (default 1,000). */
    public B bufferSize(int bufferSize) {
        this.bufferSize = Args.atLeastOne("bufferSize", bufferSize);
        return self();
    }

    /** Keep only events whose topic is exactly {@code topic} (takes precedence over a pattern). */
    public B topic(String topic) {
        this.exactTopic = TopicFilter.exactly(Objects.requireNonNull(topic, "topic"));
        return self();
    }

    /**
     * Keep only events whose topic contains a match of {@code regex}.
     *
     * @throws IllegalArgumentException if {@code regex} is not a valid regular expression
     */
    public B topicPattern(String regex) {
        this.pattern = TopicFilter.matching(Objects.requireNonNull(regex, "topicPattern"));
        return self();
    }

    /** The settings the options describe, for the reader or sink that opens now. */
    ReadSettings settings() {
        return new ReadSettings(start, block, maxPolled, Math.min(maxPolled, bufferSize), filter());
    }

    /** The topic filter the options describe. */
    TopicFilter filter() {
        return exactTopic != null ? exactTopic : pattern != null ? pattern : TopicFilter.ALL;
    }
}
