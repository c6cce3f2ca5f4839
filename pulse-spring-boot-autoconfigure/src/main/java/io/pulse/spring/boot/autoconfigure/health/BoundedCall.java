package io.pulse.spring.boot.autoconfigure.health;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one blocking call on a thread of its own and waits for it at most a given time, so that a health
 * request returns promptly even when Redis is slow to answer (a paused server makes a command wait for
 * its full time-out). At most one call is in flight: a caller arriving while one runs waits for that one
 * instead of starting another, so slow answers never pile up threads. Thread-safe.
 *
 * @param <T> what the call returns
 */
final class BoundedCall<T> implements AutoCloseable {

    private final Callable<T> call;
    private final ExecutorService thread;
    private Future<T> inFlight;

    BoundedCall(String threadName, Callable<T> call) {
        this.call = call;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Returns the call's result, waiting at most {@code timeout}.
     *
     * @throws TimeoutException if it did not return in time (it goes on; the next caller may get its result)
     * @throws ExecutionException if it threw
     */
    T get(Duration timeout) throws TimeoutException, ExecutionException, InterruptedException {
        Future<T> future;
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                inFlight = thread.submit(call);
            }
            future = inFlight;
        }
        return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
