package io.pulse.streaming;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Which topics a reader or sink keeps: all, one exact topic, or those a regex finds a match in. */
final class TopicFilter {

    static final TopicFilter ALL = new TopicFilter(null, null);

    private final String topic;
    private final Pattern pattern;

    private TopicFilter(String topic, Pattern pattern) {
        this.topic = topic;
        this.pattern = pattern;
    }

    static TopicFilter exactly(String topic) {
        return new TopicFilter(topic, null);
    }

    /**
     * @throws IllegalArgumentException if {@code regex} does not compile
     */
    static TopicFilter matching(String regex) {
        try {
            return new TopicFilter(null, Pattern.compile(regex));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("topic pattern must be a valid regex: " + e.getMessage(), e);
        }
    }

    /** An exact topic takes precedence over a pattern, as in Go Pulse. */
    TopicFilter or(TopicFilter other) {
        if (topic != null) {
            return this;
        }
        if (other.topic != null) {
            return other;
        }
        return pattern != null ? this : other;
    }

    boolean keeps(String eventTopic) {
        if (topic != null) {
            return topic.equals(eventTopic);
        }
        return pattern == null || pattern.matcher(eventTopic).find();
    }
}
