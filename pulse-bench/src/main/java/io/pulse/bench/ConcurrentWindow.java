package io.pulse.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fixed number of concurrent callers sharing one window of numbered operations: each caller takes
 * the next number until none is left, so exactly {@code concurrency} operations are in progress until
 * the window runs dry. Records each operation's latency and the window's wall time (from the common
 * start until the last operation returned). Not thread-safe; one window at a time.
 */
final class ConcurrentWindow implements AutoCloseable {

    /** One operation, given its number in the window; blocking. */
    interface Operation {
        void run(int index) throws Exception;
    }

    /**
     * One window's figures.
     *
     * @param operations operations completed
     * @param nanos wall time of the window
     * @param latencies each operation's latency (ns), indexed by its number
     */
    record Result(int operations, long nanos, long[] latencies) {
        double perSecond() {
            return operations * 1e9 / nanos;
        }
    }

    private final int concurrency;
    private final ExecutorService callers;

    ConcurrentWindow(String name, int concurrency) {
        this.concurrency = concurrency;
        AtomicInteger n = new AtomicInteger();
        this.callers = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "bench-" + name + "-caller-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs operations {@code 0 .. operations-1} from all callers at once; fails on the first error. */
    Result run(int operations, Operation operation) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] latencies = new long[operations];
        CountDownLatch ready = new CountDownLatch(concurrency);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int c = 0; c < concurrency; c++) {
            callers.execute(() -> {
                ready.countDown();
                try {
                    go.await();
                    int i;
                    while (failure.get() == null && (i = next.getAndIncrement()) < operations) {
                        long start = System.nanoTime();
                        operation.run(i);
                        latencies[i] = System.nanoTime() - start;
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            });
        }
        ready.await();
        long start = System.nanoTime();
        go.countDown();
        if (!done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("a window of " + operations + " operations did not end in 10 minutes");
        }
        long nanos = System.nanoTime() - start;
        if (failure.get() != null) {
            throw new IllegalStateException("an operation failed: " + failure.get(), failure.get());
        }
        return new Result(operations, nanos, latencies);
    }

    @Override
    public void close() {
        callers.shutdownNow();
    }
}
