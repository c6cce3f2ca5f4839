package io.pulse.testing;

/**
 * A Redis server that tests (or the quick-start demo) talk to, whose fault methods block until the
 * server is down, back or frozen; only servers this JVM started can be killed, restarted or paused
 * (the others throw {@link UnsupportedOperationException}). {@link #close()} stops a server this JVM
 * started. Implementations are thread-safe.
 */
public interface RedisServer extends AutoCloseable {

    /** A {@code redis://} URI for the server. */
    String uri();

    /** Where the server came from, for the test log. */
    String description();

    /** Whether {@link #kill}, {@link #restart}, {@link #restartEmpty}, {@link #pause} and {@link #resume} work. */
    boolean controllable();

    void kill();

    void restart();

    /**
     * Kills the server and starts it again on the same port with no data at all, as a Redis without
     * persistence (or a failover to an empty replica) comes back.
     */
    void restartEmpty();

    void pause();

    void resume();

    @Override
    void close();
}
