package io.pulse.admin.cli;

import io.pulse.admin.ActionResult;
import io.pulse.admin.AdminActions;
import io.pulse.core.PulseRedis;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The guarded actions. Each says what it would do and exits with 2 unless {@code --yes} confirms it;
 * then it exits with 0 if it changed Redis and 1 if it refused (saying why).
 */
final class ActionCommands {

    private ActionCommands() {
    }

    /** What every action shares: the confirmation, the connection and the report of the outcome. */
    abstract static class Action implements Callable<Integer> {
        @ParentCommand
        PulseCli root;

        @Spec
        CommandSpec spec;

        @Option(names = "--yes", description = "confirm: without it the command only says what it would do")
        boolean yes;

        @Override
        public Integer call() {
            if (!yes) {
                spec.commandLine().getErr().println("would " + describe() + "; add --yes to do it");
                return 2;
            }
            ActionResult result;
            try (PulseRedis redis = root.connect()) {
                result = run(root.admin(redis).actions());
            }
            if (root.json()) {
                PulseCli.printJson(result, spec.commandLine().getOut());
            } else {
                (result.applied() ? spec.commandLine().getOut() : spec.commandLine().getErr())
                        .println((result.applied() ? "" : "refused: ") + result.message());
            }
            return result.applied() ? 0 : 1;
        }

        abstract String describe();

        abstract ActionResult run(AdminActions actions);
    }

    @Command(name = "stop-job", description = "Ask a pool to stop one job (a stop event on the pool stream, as a node's "
            + "stopJob sends).")
    static final class StopJob extends Action {
        @Parameters(index = "0", paramLabel = "POOL")
        String pool;

        @Parameters(index = "1", paramLabel = "KEY")
        String key;

        @Override
        String describe() {
            return "stop job \"" + key + "\" of pool \"" + pool + "\"";
        }

        @Override
        ActionResult run(AdminActions actions) {
            return actions.stopJob(pool, key);
        }
    }

    @Command(name = "requeue", description = "Requeue a pool event a node read but never acknowledged: a copy goes to the "
            + "end of the pool stream, the original is acknowledged. Its job may start twice if it was not stuck.")
    static final class Requeue extends Action {
        @Parameters(index = "0", paramLabel = "POOL")
        String pool;

        @Parameters(index = "1", paramLabel = "EVENT-ID", description = "the event's id, as `pulse pool` lists it")
        String eventId;

        @Option(names = "--min-idle", paramLabel = "DURATION", defaultValue = "1m", converter = PulseCli.DurationConverter.class,
                description = "refuse an event unacknowledged for less than this (default ${DEFAULT-VALUE})")
        Duration minIdle;

        @Override
        String describe() {
            return "requeue event " + eventId + " of pool \"" + pool + "\" if unacknowledged for at least "
                    + Formats.duration(minIdle);
        }

        @Override
        ActionResult run(AdminActions actions) {
            return actions.requeueEvent(pool, eventId, minIdle);
        }
    }

    @Command(name = "delete-node", description = "Delete what a dead node left behind: its stream and keep-alive entry "
            + "(refused while its keep-alive is within the worker TTL).")
    static final class DeleteNode extends Action {
        @Parameters(index = "0", paramLabel = "POOL")
        String pool;

        @Parameters(index = "1", paramLabel = "NODE-ID")
        String node;

        @Override
        String describe() {
            return "delete the stream and keep-alive of dead node \"" + node + "\" of pool \"" + pool + "\"";
        }

        @Override
        ActionResult run(AdminActions actions) {
            return actions.deleteDeadNode(pool, node);
        }
    }

    @Command(name = "map-set", description = "Set one key of a replicated map; every replica, Java or Go, applies it.")
    static final class MapSet extends Action {
        @Parameters(index = "0", paramLabel = "MAP")
        String map;

        @Parameters(index = "1", paramLabel = "KEY")
        String key;

        @Parameters(index = "2", paramLabel = "VALUE")
        String value;

        @Option(names = "--create", description = "write even if the map does not exist yet")
        boolean create;

        @Override
        String describe() {
            return "set \"" + key + "\" to \"" + value + "\" in map \"" + map + "\"";
        }

        @Override
        ActionResult run(AdminActions actions) {
            return actions.setMapKey(map, key, value, create);
        }
    }

    @Command(name = "map-delete", description = "Delete one key of a replicated map; every replica, Java or Go, applies it.")
    static final class MapDelete extends Action {
        @Parameters(index = "0", paramLabel = "MAP")
        String map;

        @Parameters(index = "1", paramLabel = "KEY")
        String key;

        @Override
        String describe() {
            return "delete \"" + key + "\" from map \"" + map + "\"";
        }

        @Override
        ActionResult run(AdminActions actions) {
            return actions.deleteMapKey(map, key);
        }
    }
}
