package io.pulse.admin;

import io.pulse.admin.cli.PulseCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Runs the {@code pulse} command line in this JVM against one Redis, with a fixed clock. */
final class Cli {

    private final String uri;
    private final Clock clock;

    Cli(String uri, Clock clock) {
        this.uri = uri;
        this.clock = clock;
    }

    /** What one run printed and returned. */
    record Result(int code, String out, String err) {
    }

    Result run(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--url");
        all.add(uri);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = PulseCli.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err), Map.of(), clock);
        return new Result(code, out.toString(), err.toString());
    }

    /** Runs and returns standard output, failing with both outputs if the exit code is not 0. */
    String out(String... args) {
        Result r = run(args);
        if (r.code() != 0) {
            throw new AssertionError("pulse " + String.join(" ", args) + " exited with " + r.code() + "\n" + r.out() + r.err());
        }
        return r.out();
    }
}
