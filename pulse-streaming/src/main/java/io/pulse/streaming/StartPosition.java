package io.pulse.streaming;

import java.time.Instant;
import java.util.Objects;

/** Where a reader or a new consumer group starts: newest, oldest, after an id, or from a time. */
final class StartPosition {

    enum Kind { NEWEST, OLDEST, AFTER }

    static final StartPosition NEWEST = new StartPosition(Kind.NEWEST, null);
    static final StartPosition OLDEST = new StartPosition(Kind.OLDEST, "0-0");

    final Kind kind;
    final String id;

    private StartPosition(Kind kind, String id) {
        this.kind = kind;
        this.id = id;
    }

    /**
     * @throws IllegalArgumentException if {@code id} is not a stream entry id
     */
    static StartPosition after(String id) {
        Objects.requireNonNull(id, "id");
        if (!StreamIds.isValid(id)) {
            throw new IllegalArgumentException("not a stream entry id: \"" + id + "\" (expected <ms>-<seq>)");
        }
        return new StartPosition(Kind.AFTER, id);
    }

    /**
     * Events added at or after {@code time} (inclusive, unlike Go Pulse's exclusive cursor).
     *
     * @throws IllegalArgumentException if {@code time} is before the Unix epoch or too far in the future
     *         for a stream id (its milliseconds must fit in a long)
     */
    static StartPosition at(Instant time) {
        Objects.requireNonNull(time, "time");
        if (time.isBefore(Instant.EPOCH)) {
            throw new IllegalArgumentException("startAt time " + time
                    + " is before 1970-01-01T00:00:00Z, where stream ids begin; use startAtOldest()");
        }
        try {
            time.toEpochMilli();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("startAt time " + time + " is too far in the future for a stream id", e);
        }
        return new StartPosition(Kind.AFTER, StreamIds.justBefore(time));
    }

    @Override
    public String toString() {
        return kind == Kind.NEWEST ? "newest" : id;
    }
}
