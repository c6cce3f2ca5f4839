package io.pulse.admin.cli;

import io.pulse.admin.AdminJson;
import io.pulse.admin.MapChange;
import io.pulse.admin.PulseAdmin;
import io.pulse.core.PulseRedis;
import io.pulse.core.Subscription;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The read-only commands: pools, pool, streams, stream, maps, map, job. */
final class InspectCommands {

    private InspectCommands() {
    }

    /** What every read-only command shares: the connection and the output. */
    abstract static class Inspect implements Callable<Integer> {
        @ParentCommand
        PulseCli root;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        @Override
        public Integer call() {
            try (PulseRedis redis = root.connect()) {
                return run(root.admin(redis));
            }
        }

        abstract int run(PulseAdmin admin);

        /** Prints a found report as JSON or text; says so on stderr and returns 1 when there is none. */
        <T> int print(Optional<T> report, String what, Consumer<T> asText) {
            if (report.isEmpty()) {
                spec.commandLine().getErr().println("error: no " + what);
                return 1;
            }
            if (root.json()) {
                PulseCli.printJson(report.get(), out());
            } else {
                asText.accept(report.get());
            }
            return 0;
        }

        <T> int printList(T list, BiConsumer<T, PrintWriter> asText) {
            if (root.json()) {
                PulseCli.printJson(list, out());
            } else {
                asText.accept(list, out());
            }
            return 0;
        }
    }

    @Command(name = "pools", description = "List the pools: nodes and workers alive, jobs, dispatches in flight, backlog.")
    static final class Pools extends Inspect {
        @Override
        int run(PulseAdmin admin) {
            return printList(admin.pools(), TextReports::pools);
        }
    }

    @Command(name = "pool", description = "Show one pool: nodes, workers, jobs, dispatches in flight, pool-stream "
            + "backlog with its oldest unacknowledged events, tickers and schedules.")
    static final class Pool extends Inspect {
        @Parameters(index = "0", paramLabel = "NAME", description = "the pool's name")
        String name;

        @Override
        int run(PulseAdmin admin) {
            return print(admin.pool(name), "pool \"" + name + "\"",
                    r -> TextReports.pool(r, admin.now(), admin.workerTtl(), out()));
        }
    }

    @Command(name = "streams", description = "List the streams (not the pools' own): length, sinks, largest lag, last event.")
    static final class Streams extends Inspect {
        @Override
        int run(PulseAdmin admin) {
            return printList(admin.streams(), TextReports::streams);
        }
    }

    @Command(name = "stream", description = "Show one stream: first and last event, each sink's lag, "
            + "unacknowledged events and consumers with their keep-alive.")
    static final class Stream extends Inspect {
        @Parameters(index = "0", paramLabel = "NAME", description = "the stream's name")
        String name;

        @Override
        int run(PulseAdmin admin) {
            return print(admin.stream(name), "stream \"" + name + "\"", r -> TextReports.stream(r, out()));
        }
    }

    @Command(name = "maps", description = "List the replicated maps (not the pools' or sinks' own): size, revision, "
            + "last change, TTL.")
    static final class Maps extends Inspect {
        @Override
        int run(PulseAdmin admin) {
            return printList(admin.maps(), TextReports::maps);
        }
    }

    @Command(name = "map", description = "Show one map and its keys; --watch then prints every change until interrupted.")
    static final class MapView extends Inspect {
        @Parameters(index = "0", paramLabel = "NAME", description = "the map's name")
        String name;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
                description = "the most keys to show (default ${DEFAULT-VALUE})")
        int limit;

        @Option(names = "--watch", description = "keep printing the map's changes as they are published")
        boolean watch;

        @Override
        int run(PulseAdmin admin) {
            int code = print(admin.map(name, limit), "map \"" + name + "\"", r -> TextReports.map(r, out()));
            if (code != 0 || !watch) {
                return code;
            }
            // the listener runs on a Redis I/O thread: it only queues, this thread prints
            BlockingQueue<MapChange> changes = new LinkedBlockingQueue<>();
            try (Subscription s = admin.watchMap(name, changes::offer)) {
                PrintWriter out = out();
                out.flush();
                while (true) {
                    MapChange c = changes.take();
                    if (root.json()) {
                        out.println(AdminJson.write(c));
                        out.flush();
                    } else {
                        TextReports.change(c, out);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }
    }

    @Command(name = "job", description = "Show one job of a pool: payload, owners, dispatch guard and its recent pool events.")
    static final class Job extends Inspect {
        @Parameters(index = "0", paramLabel = "POOL", description = "the pool's name")
        String pool;

        @Parameters(index = "1", paramLabel = "KEY", description = "the job's key")
        String key;

        @Override
        int run(PulseAdmin admin) {
            return print(admin.job(pool, key), "pool \"" + pool + "\"", r -> TextReports.job(r, out()));
        }
    }
}
