package io.pulse.admin.cli;

import static io.pulse.admin.cli.Formats.count;
import static io.pulse.admin.cli.Formats.duration;

import io.pulse.admin.JobReport;
import io.pulse.admin.MapChange;
import io.pulse.admin.MapReport;
import io.pulse.admin.PoolReport;
import io.pulse.admin.StreamReport;
import io.pulse.admin.Summaries;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Writes reports as text for people: a summary line, then one aligned table per section. Stateless. */
final class TextReports {

    private TextReports() {
    }

    static void pools(List<Summaries.Pool> pools, PrintWriter out) {
        Table t = new Table("POOL", "NODES", "WORKERS", "JOBS", "DISPATCHING", "BACKLOG", "STATE");
        for (Summaries.Pool p : pools) {
            t.row(p.name(), p.nodesAlive() + "/" + p.nodes(), p.workersAlive() + "/" + p.workers(), p.jobs(),
                    p.pendingDispatches(), p.backlog(), p.shuttingDown() ? "shutting down" : "running");
        }
        printOrNone(t, "No pools.", out);
    }

    static void pool(PoolReport r, Instant now, Duration workerTtl, PrintWriter out) {
        out.println("Pool " + r.name() + (r.shuttingDown() ? " (shutting down)" : "") + ": " + r.nodesAlive() + " of "
                + count(r.nodes().size(), "node") + " alive, " + r.workersAlive() + " of "
                + count(r.workers().size(), "worker") + " alive, " + count(r.jobCount(), "job") + ", "
                + count(r.pendingDispatches().size(), "dispatch") + " in flight (worker TTL " + duration(workerTtl) + ")");

        Table nodes = new Table("NODE", "LAST-SEEN", "STATE", "STREAM");
        r.nodes().forEach(n -> nodes.row(n.id(), duration(n.keepAliveAge()), n.alive() ? "alive" : "dead",
                n.streamExists() ? "yes" : "no"));
        section(nodes, "No nodes.", out);

        Table workers = new Table("WORKER", "NODE", "AGE", "LAST-SEEN", "STATE", "JOBS");
        r.workers().forEach(w -> workers.row(w.id(), w.node(),
                w.createdAt() == null ? null : duration(Duration.between(w.createdAt(), now)),
                duration(w.keepAliveAge()), w.state(), w.jobs().size()));
        section(workers, "No workers.", out);

        Table jobs = new Table("JOB", "WORKER", "PAYLOAD");
        r.jobs().forEach(j -> jobs.row(j.key(), j.worker() == null ? "(unowned)" : j.worker(), Formats.size(j.payloadBytes())));
        section(jobs, "No jobs.", out);
        if (r.jobs().size() < r.jobCount()) {
            out.println("(" + r.jobs().size() + " of " + r.jobCount() + " jobs shown)");
        }

        Table pending = new Table("DISPATCH", "DEADLINE", "STATE");
        r.pendingDispatches().forEach(d -> pending.row(d.key(),
                d.deadline() == null ? "unreadable" : Formats.relative(Duration.between(now, d.deadline())),
                d.expired() ? "expired" : "in flight"));
        section(pending, "No dispatches in flight.", out);

        PoolReport.Backlog b = r.backlog();
        out.println();
        out.println("Pool stream " + b.stream() + ": " + count(b.length(), "event") + ", " + b.undelivered()
                + (b.undeliveredAtLeast() ? "+" : "") + " undelivered, " + b.unacknowledged() + " unacknowledged"
                + (b.oldestUnacknowledgedAge() == null ? "" : " (oldest " + duration(b.oldestUnacknowledgedAge()) + ")"));
        if (!b.oldestPending().isEmpty()) {
            Table events = new Table("EVENT", "KIND", "JOB", "CONSUMER", "DELIVERIES", "AGE");
            b.oldestPending().forEach(e -> events.row(e.id(), e.kind(), e.key(), e.consumer(), e.deliveries(),
                    duration(e.age())));
            events.print(out);
        }

        Table tickers = new Table("TICKER", "NEXT", "INTERVAL", "SCHEDULE");
        r.tickers().forEach(t -> tickers.row(t.name(),
                t.next() == null ? "unreadable" : Formats.relative(Duration.between(now, t.next())), t.interval(),
                t.schedule() ? "yes" : "no"));
        section(tickers, "No tickers.", out);
    }

    static void streams(List<Summaries.Stream> streams, PrintWriter out) {
        Table t = new Table("STREAM", "LENGTH", "SINKS", "MAX-LAG", "LAST-EVENT");
        streams.forEach(s -> t.row(s.name(), s.length(), s.sinks(), s.maxLag() + (s.maxLagAtLeast() ? "+" : ""),
                duration(s.lastAge())));
        printOrNone(t, "No streams.", out);
        out.println(StreamReport.READERS_NOTE + ".");
    }

    static void stream(StreamReport r, PrintWriter out) {
        out.println("Stream " + r.name() + ": " + count(r.length(), "event")
                + (r.firstId() == null ? "" : ", first " + r.firstId() + " (" + duration(r.firstAge()) + " ago), last "
                        + r.lastId() + " (" + duration(r.lastAge()) + " ago)"));
        out.println(StreamReport.READERS_NOTE + ".");
        Table sinks = new Table("SINK", "LAG", "UNACKED", "OLDEST-UNACKED", "CONSUMERS", "LAST-DELIVERED");
        r.sinks().forEach(s -> sinks.row(s.name(), s.lag() + (s.lagAtLeast() ? "+" : ""), s.unacknowledged(),
                duration(s.oldestUnacknowledgedAge()), s.consumers().size(), s.lastDeliveredId()));
        section(sinks, "No sinks.", out);
        Table consumers = new Table("SINK", "CONSUMER", "UNACKED", "LAST-SEEN");
        r.sinks().forEach(s -> s.consumers().forEach(c -> consumers.row(s.name(), c.name(), c.unacknowledged(),
                c.keepAlive() == null ? "none" : duration(c.keepAliveAge()))));
        if (!consumers.isEmpty()) {
            out.println();
            consumers.print(out);
        }
    }

    static void maps(List<Summaries.Map> maps, PrintWriter out) {
        Table t = new Table("MAP", "SIZE", "REVISION", "LAST-CHANGE", "TTL");
        maps.forEach(m -> t.row(m.name(), m.size(), m.revision(), m.lastKind(), duration(m.ttl())));
        printOrNone(t, "No maps.", out);
    }

    static void map(MapReport r, PrintWriter out) {
        out.println("Map " + r.name() + ": " + count(r.size(), "key") + ", revision " + r.revision() + ", last change "
                + (r.lastKind() == null ? "none" : r.lastKind()) + ", "
                + (r.ttl() == null ? "no TTL" : "expires in " + duration(r.ttl())));
        Table t = new Table("KEY", "VALUE");
        r.entries().forEach(e -> t.row(e.key(), e.value()));
        section(t, "No keys.", out);
        if (!r.complete()) {
            out.println("(" + r.entries().size() + " of " + r.size() + " keys shown)");
        }
    }

    static void change(MapChange c, PrintWriter out) {
        String what = switch (c.kind()) {
            case "set" -> "set  " + c.key() + " = " + c.value();
            case "del" -> "del  " + c.key();
            case "?" -> "unreadable message: " + c.value();
            case "resubscribed" -> "connection lost and back: changes meanwhile were missed";
            default -> c.kind();
        };
        out.println((c.revision() > 0 ? "rev " + c.revision() + "  " : "") + what);
        out.flush();
    }

    static void job(JobReport r, PrintWriter out) {
        out.println("Job " + r.key() + " of pool " + r.pool() + ": "
                + (r.payloadBytes() < 0 ? "no payload (not running)" : "payload " + Formats.size(r.payloadBytes()))
                + ", " + (r.owners().isEmpty() ? "no owner" : "owned by " + String.join(", ", r.owners())) + ", "
                + (r.dispatchDeadline() == null ? "no dispatch in flight" : "a dispatch in flight"));
        Table t = new Table("EVENT", "KIND", "AGE", "STATE", "CONSUMER");
        r.events().forEach(e -> t.row(e.id(), e.kind(), duration(e.age()), e.state(), e.consumer()));
        section(t, "No recent pool events for this job.", out);
    }

    private static void section(Table table, String none, PrintWriter out) {
        out.println();
        printOrNone(table, none, out);
    }

    private static void printOrNone(Table table, String none, PrintWriter out) {
        if (table.isEmpty()) {
            out.println(none);
        } else {
            table.print(out);
        }
    }
}
