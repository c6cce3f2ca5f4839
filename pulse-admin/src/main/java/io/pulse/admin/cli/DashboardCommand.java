package io.pulse.admin.cli;

import io.pulse.admin.web.Dashboard;
import io.pulse.core.PulseRedis;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pulse dashboard}: serves the live web dashboard until interrupted (Ctrl-C). */
@Command(name = "dashboard", description = "Serve the live web dashboard (localhost only unless --bind says otherwise) "
        + "until interrupted.")
final class DashboardCommand implements Callable<Integer> {

    @ParentCommand
    PulseCli root;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "7070", description = "default ${DEFAULT-VALUE}; 0 picks a free port")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "address to listen on (default ${DEFAULT-VALUE}: this host only)")
    String bind;

    @Option(names = "--token", paramLabel = "TOKEN", description = "require HTTP basic authentication with this "
            + "password (default: $PULSE_DASHBOARD_TOKEN if set)")
    String token;

    @Option(names = "--refresh", paramLabel = "DURATION", defaultValue = "2s", converter = PulseCli.DurationConverter.class,
            description = "how often the page updates (default ${DEFAULT-VALUE})")
    Duration refresh;

    @Override
    public Integer call() throws UnknownHostException {
        PrintWriter out = spec.commandLine().getOut();
        String password = token != null ? token : root.env("PULSE_DASHBOARD_TOKEN");
        InetAddress address = InetAddress.getByName(bind);
        try (PulseRedis redis = root.connect();
                Dashboard dashboard = Dashboard.builder(root.admin(redis)).bind(address).port(port)
                        .token(password).refresh(refresh).start()) {
            out.println("Pulse dashboard for " + root.redactedUrl() + " at " + dashboard.uri()
                    + (password == null ? "" : " (basic authentication required)"));
            if (!address.isLoopbackAddress() && password == null) {
                spec.commandLine().getErr().println("warning: listening on " + bind
                        + " without --token: anyone who reaches this port can stop jobs and change maps");
            }
            out.flush();
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
