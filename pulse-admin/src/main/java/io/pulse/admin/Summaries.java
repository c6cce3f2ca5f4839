package io.pulse.admin;

import java.time.Duration;

/** One-line summaries of pools, streams and maps, for listings. Immutable records. */
public final class Summaries {

    private Summaries() {
    }

    /** A pool in one line; {@code backlog} is the pool stream's undelivered plus unacknowledged events. */
    public record Pool(String name, long nodesAlive, int nodes, long workersAlive, int workers, int jobs,
            int pendingDispatches, long backlog, boolean shuttingDown) {

        static Pool of(PoolReport r) {
            return new Pool(r.name(), r.nodesAlive(), r.nodes().size(), r.workersAlive(), r.workers().size(),
                    r.jobCount(), r.pendingDispatches().size(), r.backlog().total(), r.shuttingDown());
        }
    }

    /**
     * A stream in one line; {@code maxLag} is the largest lag among its sinks ({@code maxLagAtLeast}:
     * that lag was counted up to the cap and may be larger).
     */
    public record Stream(String name, long length, int sinks, long maxLag, boolean maxLagAtLeast, Duration lastAge) {

        static Stream of(StreamReport r) {
            StreamReport.SinkRow most = r.sinks().stream().max(java.util.Comparator.comparingLong(StreamReport.SinkRow::lag))
                    .orElse(null);
            return new Stream(r.name(), r.length(), r.sinks().size(), most == null ? 0 : most.lag(),
                    most != null && most.lagAtLeast(), r.lastAge());
        }
    }

    /** A map in one line. */
    public record Map(String name, long size, long revision, String lastKind, Duration ttl) {

        static Map of(MapReport r) {
            return new Map(r.name(), r.size(), r.revision(), r.lastKind(), r.ttl());
        }
    }
}
