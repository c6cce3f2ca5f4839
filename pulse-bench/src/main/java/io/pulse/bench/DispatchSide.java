package io.pulse.bench;

/** One side of the dispatch benchmark: a blocking dispatch of job number {@code index}, and a reset. */
interface DispatchSide extends AutoCloseable {

    /** The side's label in progress lines. */
    String name();

    /** Dispatches the job of the window's key number {@code index}; returns once it started. */
    void dispatch(int index) throws Exception;

    /** Brings the pool back to no running job, so the next window can use the same keys; not timed. */
    void reset() throws Exception;

    @Override
    void close() throws Exception;
}
