package io.pulse.pool;

import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The nodes of one test, each on a {@link PulseRedis} of its own as if it ran in its own process;
 * {@link #close()} closes them all in parallel (bounded), then their connections.
 */
final class PoolFixture implements AutoCloseable {

    private final RedisServerExtension redis;
    private final UnaryOperator<Node.Builder> defaults;
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private final List<PulseRedis> connections = new CopyOnWriteArrayList<>();

    PoolFixture(RedisServerExtension redis, UnaryOperator<Node.Builder> defaults) {
        this.redis = redis;
        this.defaults = defaults;
    }

    /** Joins {@code pool} with the fixture's defaults, then {@code options}. */
    Node join(String pool, UnaryOperator<Node.Builder> options) {
        PulseRedis connection = redis.newPulseRedis();
        connections.add(connection);
        Node node = options.apply(defaults.apply(Node.builder(pool, connection))).join();
        nodes.add(node);
        return node;
    }

    Node join(String pool) {
        return join(pool, b -> b);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    @Override
    public void close() throws Exception {
        List<Thread> closing = new ArrayList<>();
        for (Node node : nodes) {
            Thread t = new Thread(node::close, "pool-fixture-close");
            t.setDaemon(true);
            t.start();
            closing.add(t);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (Thread t : closing) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        connections.forEach(PulseRedis::close);
    }
}
