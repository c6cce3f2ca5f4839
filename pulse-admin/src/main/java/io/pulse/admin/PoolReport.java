package io.pulse.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One pool as Redis shows it at one moment, read without joining the pool. Immutable. Ages are measured
 * with the inspecting {@link PulseAdmin}'s clock; "alive" means a keep-alive no older than its worker
 * TTL. Lists are sorted: nodes and jobs by id and key, workers in routing order (creation time, id).
 *
 * @param shuttingDown whether a node asked the whole pool to stop
 * @param jobs the jobs in workers' job lists, then payloads no worker lists (worker null), at most the
 *     inspection's list limit
 * @param jobCount how many jobs there are in all (owned keys plus unowned payloads)
 */
public record PoolReport(String name, boolean shuttingDown, List<NodeRow> nodes, List<WorkerRow> workers,
        List<JobRow> jobs, int jobCount, List<DispatchRow> pendingDispatches, Backlog backlog, List<TickerRow> tickers) {

    /** A node: its keep-alive, and whether its own stream (acks, dispatch results) is still there. */
    public record NodeRow(String id, Instant keepAlive, Duration keepAliveAge, boolean alive, boolean streamExists) {
    }

    /**
     * A worker. {@code node} comes from the init event at the head of the worker's stream (null once
     * trimmed away); {@code state} is {@code alive}, {@code dead} (keep-alive too old or missing),
     * {@code removing} (its node is handing its jobs over), {@code cleaning} (another node holds its
     * cleanup lock) or {@code gone} (left only in the jobs or keep-alive map).
     */
    public record WorkerRow(String id, String node, Instant createdAt, String state, Instant keepAlive,
            Duration keepAliveAge, List<String> jobs) {
    }

    /**
     * A job: its key, the worker listing it (null: a payload no worker lists, which a node requeues
     * after a grace period) and its payload size in bytes (-1: listed but without payload).
     */
    public record JobRow(String key, String worker, long payloadBytes) {
    }

    /** A dispatch in flight: its guard's deadline (expired guards are swept by full nodes). */
    public record DispatchRow(String key, Instant deadline, boolean expired) {
    }

    /**
     * The pool stream seen through its sink {@code events}.
     *
     * @param stream the pool stream's name
     * @param undelivered events no node has read yet ({@code undeliveredAtLeast}: counted up to a cap)
     * @param unacknowledged events a node read but has not acknowledged
     * @param oldestPending the oldest unacknowledged events, with the job key and kind they carry
     */
    public record Backlog(String stream, long length, long undelivered, boolean undeliveredAtLeast, long unacknowledged,
            Duration oldestUnacknowledgedAge, List<PendingEvent> oldestPending) {

        /** Undelivered plus unacknowledged events: the work the pool has not finished routing. */
        public long total() {
            return undelivered + unacknowledged;
        }
    }

    /** An unacknowledged pool event: kind {@code j} start, {@code s} stop, {@code n} notify. */
    public record PendingEvent(String id, String kind, String key, String consumer, long deliveries, Duration age) {
    }

    /** A ticker; {@code schedule} when a schedule of that name keeps its job map beside it. */
    public record TickerRow(String name, Instant next, String interval, boolean schedule) {
    }

    /** Nodes whose keep-alive is fresh. */
    public long nodesAlive() {
        return nodes.stream().filter(NodeRow::alive).count();
    }

    /** Workers in state {@code alive}. */
    public long workersAlive() {
        return workers.stream().filter(w -> w.state().equals("alive")).count();
    }
}
