package io.pulse.pool;

import java.util.List;
import java.util.Objects;

/**
 * What a schedule's producer wants at one tick: jobs to start, keys to stop, or to stop everything
 * it started that is not in {@code start} ({@code stopAll}). Immutable.
 *
 * @param start jobs to run (those already running are left alone)
 * @param stop keys to stop (ignored when {@code stopAll})
 * @param stopAll stop every job this schedule started that is not in {@code start}
 * @param endSchedule end the schedule on every node
 */
public record JobPlan(List<JobSpec> start, List<String> stop, boolean stopAll, boolean endSchedule) {

    public JobPlan {
        start = List.copyOf(Objects.requireNonNull(start, "start"));
        stop = List.copyOf(Objects.requireNonNull(stop, "stop"));
    }

    /** Run exactly {@code jobs}: start the missing ones, stop every other job of the schedule. */
    public static JobPlan exactly(List<JobSpec> jobs) {
        return new JobPlan(jobs, List.of(), true, false);
    }

    /** Start {@code start} (missing ones only) and stop {@code stop}; leave other jobs alone. */
    public static JobPlan of(List<JobSpec> start, List<String> stop) {
        return new JobPlan(start, stop, false, false);
    }

    /** End the schedule on every node (the jobs it started keep running). */
    public static JobPlan stopSchedule() {
        return new JobPlan(List.of(), List.of(), false, true);
    }
}
