package io.pulse.pool;

import io.pulse.core.KeyLayout;
import io.pulse.core.Subscription;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.Names;
import io.pulse.rmap.MapEvent;
import io.pulse.rmap.ReplicatedMap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;

/**
 * A thread-safe schedule that keeps a pool's set of jobs in line with a plan: on every tick of the pool-wide ticker of the same
 * name (so once per interval for the whole pool, however many nodes schedule it), the producer's
 * {@link JobPlan} is applied: missing jobs are dispatched (all at once, not one behind the other) and
 * unwanted ones stopped. The jobs the schedule runs are tracked in the map {@code <pool>:<name>}, as in
 * Go Pulse; a key already running counts as started. Thread-safe.
 */
public final class Schedule {

    private final PoolConfig config;
    private final JobCommands jobs;
    private final String name;
    private final JobProducer producer;
    private final Logger log;
    private final ReplicatedMap jobMap;
    private final Ticker ticker;
    private final Subscription ticks;
    private final Subscription resets;
    private volatile boolean cancelled;

    /**
     * Runs the schedule on {@code ticker}, the pool-wide ticker of its name (first tick right away),
     * tracking its jobs in {@code jobMap}; this schedule owns and closes both.
     */
    Schedule(PoolConfig config, JobCommands jobs, ReplicatedMap jobMap, Ticker ticker, String name,
            JobProducer producer) {
        this.config = config;
        this.jobs = jobs;
        this.name = name;
        this.producer = producer;
        this.log = config.log();
        this.jobMap = jobMap;
        this.ticker = ticker;
        this.resets = jobMap.subscribe(e -> {
            if (e.kind() == MapEvent.Kind.RESET) {
                log.atInfo().addKeyValue("schedule", name).log("schedule ended by another node");
                cancel();
            }
        });
        ticker.onRemoteStop(this::cancel);
        this.ticks = ticker.subscribe(t -> runPlan());
    }

    /**
     * @throws IllegalArgumentException if {@code name} is invalid or collides with the pool's own maps
     */
    static String validName(String name, KeyLayout layout) {
        Names.requireValid("schedule", name);
        if (layout.isReservedScheduleName(name)) {
            throw new IllegalArgumentException("schedule name \"" + name
                    + "\" collides with one of the pool's own maps or streams");
        }
        return name;
    }

    private void runPlan() {
        if (cancelled) {
            return;
        }
        JobPlan plan;
        try {
            plan = producer.plan();
        } catch (Exception e) {
            log.atError().addKeyValue("schedule", name).setCause(e).log("job producer failed; the next tick runs");
            return;
        }
        if (plan == null) {
            log.atError().addKeyValue("schedule", name).log("job producer returned no plan; the next tick runs");
            return;
        }
        if (plan.endSchedule()) {
            log.atInfo().addKeyValue("schedule", name).log("producer ended the schedule");
            jobMap.reset();
            ticker.stop();
            cancel();
            return;
        }
        log.atDebug().addKeyValue("schedule", name).addKeyValue("start", plan.start().size())
                .addKeyValue("stop", plan.stop().size()).addKeyValue("stopAll", plan.stopAll()).log("scheduling jobs");
        startJobs(plan.start());
        stopJobs(plan);
    }

    /** Dispatches every wanted job at once; a key already running counts as started. */
    private void startJobs(List<JobSpec> wanted) {
        List<CompletableFuture<Void>> dispatches = new ArrayList<>();
        for (JobSpec spec : wanted) {
            CompletableFuture<Void> d;
            try {
                d = jobs.dispatch(spec.key(), spec.payload());
            } catch (RuntimeException e) {
                log.atError().addKeyValue("schedule", name).addKeyValue("job", spec.key()).setCause(e)
                        .log("invalid job in plan; skipped");
                continue;
            }
            dispatches.add(d.handle((v, e) -> {
                Throwable cause = e == null ? null : Futures.unwrap(e);
                if (cause == null || cause instanceof JobExistsException) {
                    jobMap.setAsync(spec.key(), Instant.now().toString());
                } else {
                    log.atWarn().addKeyValue("schedule", name).addKeyValue("job", spec.key()).setCause(cause)
                            .log("scheduled job did not start; the next tick retries");
                }
                return null;
            }));
        }
        try {
            CompletableFuture.allOf(dispatches.toArray(new CompletableFuture[0]))
                    .get(jobs.dispatchTimeout().toMillis(),
                            java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.atWarn().addKeyValue("schedule", name).setCause(e).log("some scheduled dispatches are still pending");
        }
    }

    private void stopJobs(JobPlan plan) {
        Set<String> keep = new HashSet<>();
        plan.start().forEach(s -> keep.add(s.key()));
        List<String> toStop = new ArrayList<>();
        if (plan.stopAll()) {
            for (String key : jobMap.keys()) {
                if (!keep.contains(key)) {
                    toStop.add(key);
                }
            }
        } else {
            toStop.addAll(plan.stop());
        }
        for (String key : toStop) {
            try {
                jobs.stop(key);
                jobMap.deleteAsync(key);
            } catch (RuntimeException e) {
                log.atWarn().addKeyValue("schedule", name).addKeyValue("job", key).setCause(e).log("stopping a job failed");
            }
        }
    }

    /** The schedule's name. */
    public String name() {
        return name;
    }

    /** Whether this node no longer runs the schedule. */
    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * Stops running the schedule on this node (other nodes that scheduled it go on). Its jobs keep
     * running. Idempotent.
     */
    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        ticks.close();
        resets.close();
        ticker.close();
        jobMap.close();
    }

    static JobProducer checked(JobProducer producer) {
        return Objects.requireNonNull(producer, "producer");
    }
}
