package io.pulse.pool;

/**
 * Computes a schedule's {@link JobPlan}; called once per tick for the whole pool, on the node that won
 * the tick, never on a Redis I/O thread. An exception or a {@code null} plan is logged and the next
 * tick runs.
 */
@FunctionalInterface
public interface JobProducer {

    JobPlan plan() throws Exception;
}
