package io.pulse.spring.boot.autoconfigure;

import java.time.Duration;

/**
 * The options of the node this application runs in one pool declared under {@code pulse.pools.<name>};
 * unset options keep Pulse's defaults. Mutable bean for Spring's binder.
 */
public class PoolOptions extends ComponentOptions {

    /** A node that only dispatches, stops and notifies jobs: it hosts no workers. */
    private boolean clientOnly;

    /** A worker or node silent this long is dead; Pulse's default is 30 s. */
    private Duration workerTtl;

    /** The longest a handler's stop may take when the node leaves; Pulse's default is 2 min. */
    private Duration workerShutdownTtl;

    /** Dispatches in flight beyond which dispatchJob fails with PoolFullException (0: no limit); Pulse's default is 1000. */
    private Integer maxQueuedJobs;

    /** A routed event unacknowledged this long is routed again; Pulse's default is 20 s. */
    private Duration ackGracePeriod;

    /** How long the node's reads of the pool and node streams block; Pulse's default is 5 s. */
    private Duration jobSinkBlockDuration;

    public boolean isClientOnly() {
        return clientOnly;
    }

    public void setClientOnly(boolean clientOnly) {
        this.clientOnly = clientOnly;
    }

    public Duration getWorkerTtl() {
        return workerTtl;
    }

    public void setWorkerTtl(Duration workerTtl) {
        this.workerTtl = workerTtl;
    }

    public Duration getWorkerShutdownTtl() {
        return workerShutdownTtl;
    }

    public void setWorkerShutdownTtl(Duration workerShutdownTtl) {
        this.workerShutdownTtl = workerShutdownTtl;
    }

    public Integer getMaxQueuedJobs() {
        return maxQueuedJobs;
    }

    public void setMaxQueuedJobs(Integer maxQueuedJobs) {
        this.maxQueuedJobs = maxQueuedJobs;
    }

    public Duration getAckGracePeriod() {
        return ackGracePeriod;
    }

    public void setAckGracePeriod(Duration ackGracePeriod) {
        this.ackGracePeriod = ackGracePeriod;
    }

    public Duration getJobSinkBlockDuration() {
        return jobSinkBlockDuration;
    }

    public void setJobSinkBlockDuration(Duration jobSinkBlockDuration) {
        this.jobSinkBlockDuration = jobSinkBlockDuration;
    }
}
