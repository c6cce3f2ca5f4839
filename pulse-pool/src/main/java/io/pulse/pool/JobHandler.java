package io.pulse.pool;

/**
 * What a worker does with its jobs, implemented by the user and called by one thread at a time (the
 * worker's own, or the node's executor), never from a Redis I/O thread; the calls of one worker never
 * overlap.
 *
 * <p>Jobs run at least once: a job may be started again on another worker after a failure or when
 * workers come and go (with {@link Job#requeued()} true), so {@code start} must be idempotent, and
 * {@code stop} must return promptly.
 */
public interface JobHandler {

    /**
     * Starts {@code job} and returns once it is running (long work goes on elsewhere). An exception
     * makes this start fail: the dispatcher gets a {@link JobStartException} with its message.
     */
    void start(Job job) throws Exception;

    /** Stops the job with {@code key}, which this handler started. */
    void stop(String key) throws Exception;

    /**
     * Receives a notification sent with {@code Node.notifyWorker} to the job with {@code key}. The
     * default logs that this handler ignores notifications.
     */
    default void handleNotification(String key, byte[] payload) throws Exception {
        org.slf4j.LoggerFactory.getLogger(JobHandler.class).atWarn().addKeyValue("job", key)
                .log("worker does not implement NotificationHandler, ignoring notification");
    }
}
