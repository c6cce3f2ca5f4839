package io.pulse.examples;

import io.pulse.testing.RedisServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

/** One run of an example against a test Redis: its exit code, what it printed, what it left in Redis. */
record ExampleRun(int exit, String output, Set<String> leftKeys) {

    /**
     * Keys of the pool sink {@code events} that every pool of a Redis shares (Go Pulse's layout): the
     * idle-claim lease expires by itself; the keep-alive map keeps the entry of every node that ever
     * joined a pool, since {@code Sink.close()} leaves its entry and nothing removes it once the pool's
     * stream is gone. An example cannot delete them without harming other pools on the same Redis.
     */
    static final Set<String> SHARED_POOL_SINK_KEYS = Set.of("map:sink:events:keepalive:content",
            "sink:events:stalelease");

    /** Runs {@code example}, echoing its output to the test log. */
    static ExampleRun of(RedisServerExtension redis, Examples.Example example) {
        Set<String> before = new TreeSet<>(redis.cli().keys("*"));
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            exit = example.run(out, redis.uri());
        }
        String output = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        Set<String> left = new TreeSet<>(redis.cli().keys("*"));
        left.removeAll(before);
        left.removeAll(SHARED_POOL_SINK_KEYS);
        return new ExampleRun(exit, output, left);
    }
}
