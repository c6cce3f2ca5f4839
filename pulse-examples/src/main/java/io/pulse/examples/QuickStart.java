package io.pulse.examples;

import java.io.PrintStream;

/**
 * The quick-start demo: the complete user-signup flow ({@link SignupFlow}) against the Redis
 * {@link DemoRedis} finds (or starts, and stops again at the end).
 *
 * <pre>mvn -q -pl pulse-examples -am -DskipTests package exec:java</pre>
 */
public final class QuickStart {

    private QuickStart() {
    }

    public static void main(String[] args) {
        System.exit(run(System.out));
    }

    /** Runs the demo, printing to {@code out}; returns the process exit code (0: every check passed). */
    public static int run(PrintStream out) {
        out.println("Pulse for Java: a user-signup flow on replicated maps, streams and a worker pool");
        try (DemoRedis redis = DemoRedis.obtain(out)) {
            out.println();
            return SignupFlow.run(out, redis.uri());
        } catch (RuntimeException e) {
            e.printStackTrace(out);
            return 1;
        }
    }
}
