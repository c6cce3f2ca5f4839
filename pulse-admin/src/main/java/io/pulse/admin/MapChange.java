package io.pulse.admin;

/**
 * One change published on a replicated map's update channel, as {@link PulseAdmin#watchMap} sees it.
 *
 * @param kind {@code set}, {@code del}, {@code reset}, {@code destroy}; {@code resubscribed} after a
 *     lost connection (changes meanwhile were missed); {@code ?} for a message that does not decode
 * @param key the key set or deleted, null for the other kinds
 * @param value the new value of a {@code set} (the raw message for {@code ?}), else null
 * @param revision the map's revision after the change (0 where unknown)
 */
public record MapChange(String kind, String key, String value, long revision) {
}
