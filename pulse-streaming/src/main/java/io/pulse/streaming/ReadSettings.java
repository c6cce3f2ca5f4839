package io.pulse.streaming;

import java.time.Duration;

/**
 * The read options of one reader or sink instance, fixed when it opens (see {@link ReadOptions}).
 * Immutable.
 *
 * @param start where reading starts (for a sink: where its group starts, if it creates it)
 * @param block how long one read waits for events
 * @param maxPolled the most events one {@code read()} returns
 * @param pushBatch the most events a push subscription fetches at once
 * @param filter which topics are kept
 */
record ReadSettings(StartPosition start, Duration block, int maxPolled, int pushBatch, TopicFilter filter) {
}
