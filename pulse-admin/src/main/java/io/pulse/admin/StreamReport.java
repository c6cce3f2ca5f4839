package io.pulse.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One stream as Redis shows it at one moment: its entries and each sink (consumer group) reading it.
 * Readers keep their cursor in their own process, so Redis cannot show them: they do not appear here.
 * Immutable; sinks and consumers sorted by name.
 */
public record StreamReport(String name, long length, String firstId, Duration firstAge, String lastId,
        Duration lastAge, List<SinkRow> sinks) {

    /** What tools say about readers, which leave no trace in Redis. */
    public static final String READERS_NOTE = "Readers keep their position in their own process: Redis cannot show them";

    /**
     * A sink.
     *
     * @param lag events not yet delivered to any of its consumers ({@code lagAtLeast}: counted up to a cap)
     * @param unacknowledged events delivered but not acknowledged
     * @param oldestUnacknowledgedAge age of the oldest unacknowledged event (from its id), null if none
     */
    public record SinkRow(String name, long lag, boolean lagAtLeast, long unacknowledged, String lastDeliveredId,
            Duration oldestUnacknowledgedAge, List<ConsumerRow> consumers) {
    }

    /**
     * A consumer (one sink instance): its unacknowledged events and its keep-alive (null when it has
     * none, which makes it stale for every instance of the sink).
     */
    public record ConsumerRow(String name, long unacknowledged, Instant keepAlive, Duration keepAliveAge) {
    }
}
