package io.pulse.spring.boot.autoconfigure.health;

import io.pulse.admin.PulseAdmin;
import io.pulse.admin.StreamReport;
import java.util.ArrayList;
import java.util.List;

/**
 * The Redis reads of one health check, through Pulse's public inspection API on the application's own
 * {@code PulseRedis} connection (so they take the same path, time-outs and credentials as every Pulse
 * command): a read of a map's hash that Pulse never writes, which proves that Redis answers even when no
 * stream is declared, then each declared stream with its sinks' lag. All reads are bounded; a stream
 * that does not exist yet (nothing was added) has no sinks to report. Blocking; thread-safe.
 */
final class RedisReads {

    /**
     * A map name nothing writes: reading its (absent) hash is one pipelined round trip of
     * {@code HLEN}, {@code HGET} and {@code PTTL} on {@code map:pulse-health-probe:content}, within the
     * key patterns a least-privilege Pulse user is granted.
     */
    static final String PROBE_MAP = "pulse-health-probe";

    private final PulseAdmin admin;
    private final List<String> streams;

    RedisReads(PulseAdmin admin, List<String> streams) {
        this.admin = admin;
        this.streams = streams;
    }

    /** Reads Redis; throws whatever the first failing read threw. */
    List<StreamReport> read() {
        admin.map(PROBE_MAP, 0);
        List<StreamReport> out = new ArrayList<>();
        for (String stream : streams) {
            admin.stream(stream).ifPresent(out::add);
        }
        return out;
    }
}
