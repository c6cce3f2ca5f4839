package io.pulse.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Everything Redis says about one job key of a pool: its payload, the workers listing it, a dispatch
 * guard, and the recent pool events that carry the key. Immutable.
 *
 * @param payloadBytes size of the payload, -1 when there is none (the job is not running or moving)
 * @param owners workers whose job list holds the key (more than one only during a hand-over or a fault)
 * @param dispatchDeadline deadline of a dispatch in flight, null if none
 * @param events pool events carrying the key among the newest ones of the pool stream, newest first
 */
public record JobReport(String pool, String key, long payloadBytes, List<String> owners, Instant dispatchDeadline,
        List<Event> events) {

    /**
     * A pool event: kind ({@code j} start, {@code s} stop, {@code n} notify), age from its id, and
     * state {@code undelivered}, {@code unacknowledged} (then {@code consumer} holds it) or {@code done}.
     */
    public record Event(String id, String kind, Duration age, String state, String consumer) {
    }
}
