package io.pulse.admin.cli;

import io.pulse.admin.AdminJson;
import io.pulse.admin.PulseAdmin;
import io.pulse.core.PulseRedis;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/**
 * The {@code pulse} command line: inspect the pools, streams and maps of one Redis, run the guarded
 * actions, or serve the dashboard. Exit codes: 0 done, 1 an error or a refused action, 2 bad usage or
 * an action not confirmed with {@code --yes}.
 */
@Command(name = "pulse", mixinStandardHelpOptions = true, version = "pulse 0.1.0",
        description = "Inspect and operate the Pulse pools, streams and replicated maps of one Redis "
                + "(Java and Go Pulse alike).",
        subcommands = {InspectCommands.Pools.class, InspectCommands.Pool.class, InspectCommands.Streams.class,
                InspectCommands.Stream.class, InspectCommands.Maps.class, InspectCommands.MapView.class,
                InspectCommands.Job.class, ActionCommands.StopJob.class, ActionCommands.Requeue.class,
                ActionCommands.DeleteNode.class, ActionCommands.MapSet.class, ActionCommands.MapDelete.class,
                DashboardCommand.class, CommandLine.HelpCommand.class})
public final class PulseCli {

    static final String DEFAULT_URL = "redis://localhost:6379";

    @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URI",
            description = "Redis URI (default: $PULSE_REDIS_URL, else " + DEFAULT_URL + ")")
    String url;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Write JSON for scripts instead of tables.")
    boolean json;

    @Option(names = "--worker-ttl", scope = ScopeType.INHERIT, paramLabel = "DURATION", defaultValue = "30s",
            converter = DurationConverter.class,
            description = "Nodes and workers silent longer than this are dead (the pool's workerTtl; default ${DEFAULT-VALUE}).")
    Duration workerTtl;

    private final Map<String, String> env;
    private final Clock clock;

    PulseCli(Map<String, String> env, Clock clock) {
        this.env = env;
        this.clock = clock;
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true), System.getenv(),
                Clock.systemUTC()));
    }

    /** Runs one command with the given streams, environment and clock; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env, Clock clock) {
        CommandLine cli = new CommandLine(new PulseCli(env, clock));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            commandLine.getErr().println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            commandLine.getErr().flush();
            return 1;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The Redis URI in force: {@code --url}, else {@code PULSE_REDIS_URL}, else localhost. */
    String url() {
        if (url != null) {
            return url;
        }
        String fromEnv = env("PULSE_REDIS_URL");
        return fromEnv == null ? DEFAULT_URL : fromEnv;
    }

    /** The Redis URI without its user name and password, for printing. */
    String redactedUrl() {
        String url = url();
        int at = url.lastIndexOf('@');
        int scheme = url.indexOf("://");
        return at > scheme && scheme >= 0 ? url.substring(0, scheme + 3) + "***@" + url.substring(at + 1) : url;
    }

    /** A variable of the environment the command runs in, or null. */
    String env(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value;
    }

    PulseRedis connect() {
        return PulseRedis.connect(url());
    }

    PulseAdmin admin(PulseRedis redis) {
        return PulseAdmin.builder(redis).clock(clock).workerTtl(workerTtl).build();
    }

    boolean json() {
        return json;
    }

    static void printJson(Object value, PrintWriter out) {
        out.println(AdminJson.writePretty(value));
    }

    /** Reads durations written like {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Objects.requireNonNull(value, "value");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(value.trim());
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException("not a duration like 500ms, 30s, 5m or 1h: '" + value + "'");
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
    }
}
