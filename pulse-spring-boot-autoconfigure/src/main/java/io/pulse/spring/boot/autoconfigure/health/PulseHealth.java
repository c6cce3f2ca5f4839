package io.pulse.spring.boot.autoconfigure.health;

import io.pulse.admin.PulseAdmin;
import io.pulse.admin.StreamReport;
import io.pulse.core.PulseRedis;
import io.pulse.pool.Worker;
import io.pulse.spring.boot.autoconfigure.PulseProperties;
import io.pulse.spring.boot.autoconfigure.PulsePools;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Pulse's health as the Actuator shows it, computed the same way on every Boot line (each line's
 * indicator only translates the {@link Report}): UP when Redis answers, every declared node is in its
 * pool with every worker it started still running, and no sink of a declared stream is more than
 * {@code pulse.health.max-sink-lag} events behind. Redis is asked with bounded reads (see
 * {@link RedisReads}) on a thread of its own, and a check waits for them at most
 * {@code pulse.health.timeout}. Thread-safe.
 */
public final class PulseHealth implements AutoCloseable {

    /**
     * One check's outcome.
     *
     * @param up whether every condition holds
     * @param details what was checked, for the health endpoint ({@code problems} lists what failed)
     */
    public record Report(boolean up, Map<String, Object> details) {
    }

    private final PulseRedis redis;
    private final PulsePools pools;
    private final long maxSinkLag;
    private final Duration timeout;
    private final BoundedCall<List<StreamReport>> reads;

    /**
     * @param pools the declared nodes, or null when the application runs none through the starter
     * @throws IllegalArgumentException if {@code pulse.health.*} holds a negative lag or a time-out that is
     *     not positive
     */
    public PulseHealth(PulseRedis redis, PulsePools pools, PulseProperties properties) {
        this.redis = redis;
        this.pools = pools;
        this.maxSinkLag = properties.getHealth().getMaxSinkLag();
        this.timeout = properties.getHealth().getTimeout();
        if (maxSinkLag < 0) {
            throw new IllegalArgumentException("pulse.health.max-sink-lag must not be negative: " + maxSinkLag);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("pulse.health.timeout must be positive: " + timeout);
        }
        List<String> streams = new ArrayList<>();
        properties.getStreams().forEach((name, options) -> {
            if (options.isEnabled()) {
                streams.add(name);
            }
        });
        RedisReads redisReads = new RedisReads(PulseAdmin.builder(redis).build(), List.copyOf(streams));
        this.reads = new BoundedCall<>("pulse-health", redisReads::read);
    }

    /** Checks everything; blocks at most about {@code pulse.health.timeout}. */
    public Report check() {
        Map<String, Object> details = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        checkRedis(details, problems);
        checkPools(details, problems);
        if (!problems.isEmpty()) {
            details.put("problems", problems);
        }
        return new Report(problems.isEmpty(), details);
    }

    private void checkRedis(Map<String, Object> details, List<String> problems) {
        if (redis.isClosed()) {
            details.put("redis", "closed");
            problems.add("the PulseRedis connection is closed");
            return;
        }
        if (!redis.isConnected()) {
            details.put("redis", "disconnected");
            problems.add("Redis is unreachable: the connection is down");
            return;
        }
        List<StreamReport> streams;
        try {
            streams = reads.get(timeout);
        } catch (TimeoutException e) {
            details.put("redis", "no answer");
            problems.add("Redis did not answer within " + timeout.toMillis() + " ms");
            return;
        } catch (ExecutionException e) {
            details.put("redis", "error");
            problems.add("reading from Redis failed: " + e.getCause().getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            details.put("redis", "interrupted");
            problems.add("the health check was interrupted");
            return;
        }
        details.put("redis", "reachable");
        Map<String, Object> sinks = new LinkedHashMap<>();
        for (StreamReport stream : streams) {
            for (StreamReport.SinkRow sink : stream.sinks()) {
                String lag = sink.lag() + (sink.lagAtLeast() ? "+" : "");
                sinks.put(stream.name() + "/" + sink.name(), Map.of("lag", lag,
                        "unacknowledged", sink.unacknowledged()));
                if (sink.lag() > maxSinkLag) {
                    problems.add("sink " + sink.name() + " of stream " + stream.name() + " is " + lag
                            + " events behind (pulse.health.max-sink-lag is " + maxSinkLag + ")");
                }
            }
        }
        if (!sinks.isEmpty()) {
            details.put("sinks", sinks);
        }
    }

    private void checkPools(Map<String, Object> details, List<String> problems) {
        if (pools == null) {
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (PulsePools.PoolWorkers pool : pools.pools()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("node", pool.node().id());
            long running = pool.workers().stream().filter(w -> !w.isStopped()).count();
            row.put("workers", pool.workers().size());
            row.put("workersRunning", running);
            if (pool.node().isClosed()) {
                row.put("state", "left");
                problems.add("the node of pool " + pool.pool() + " left the pool");
            } else {
                row.put("state", "joined");
                for (Worker w : pool.workers()) {
                    if (w.isStopped()) {
                        problems.add("worker " + w.id() + " of pool " + pool.pool()
                                + " stopped: another node removed it from the pool (its keep-alive was late)");
                    }
                }
            }
            out.put(pool.pool(), row);
        }
        if (pools.isStopped()) {
            problems.add("the application's nodes left their pools: the context is stopping");
        }
        if (!out.isEmpty()) {
            details.put("pools", out);
        }
    }

    @Override
    public void close() {
        reads.close();
    }
}
