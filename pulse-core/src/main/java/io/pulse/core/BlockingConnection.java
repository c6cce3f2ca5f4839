package io.pulse.core;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.UnblockType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A connection of its own for one blocking read loop ({@code XREAD}/{@code XREADGROUP} with
 * {@code BLOCK}); thread-safe, but meant for one loop. {@link #close()} makes a read that is blocked
 * right now fail at once, which is how loops stop promptly.
 */
public final class BlockingConnection implements AutoCloseable {

    private final PulseRedis redis;
    private final String name;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private volatile boolean closed;
    private volatile Long clientId;

    BlockingConnection(PulseRedis redis, String name, StatefulRedisConnection<byte[], byte[]> connection) {
        this.redis = redis;
        this.name = name;
        this.connection = connection;
    }

    /**
     * Runs one (typically blocking) command and waits for it at most {@code block} plus the facade's
     * command timeout, so a read whose answer never comes cannot hang its loop.
     *
     * @throws ClosedException if this connection was closed (also while the read was blocked)
     * @throws PulseException on any Redis failure
     */
    public <T> T call(String what, Duration block,
            Function<RedisAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
        if (closed) {
            throw new ClosedException(what + ": connection " + name + " is closed");
        }
        CompletableFuture<T> result = redis.whenOpen(connection).thenCompose(v -> {
            RedisAsyncCommands<byte[], byte[]> commands = connection.async();
            // pipelined with the read, so it costs no round trip; the id changes after a reconnect
            commands.clientId().thenAccept(id -> clientId = id);
            return command.apply(commands).toCompletableFuture();
        });
        try {
            return Futures.await(result, block.plus(redis.commandTimeout()), what);
        } catch (RuntimeException e) {
            if (closed) {
                throw new ClosedException(what + ": connection " + name + " is closed");
            }
            throw e instanceof PulseException ? e : redis.translate(what, e);
        }
    }

    /**
     * Makes a read blocked on this connection return at once with no data ({@code CLIENT UNBLOCK}), so
     * its loop can notice a change (a new stream to read, a close). Never blocks; harmless if no read
     * is blocked.
     */
    public void wake() {
        Long id = clientId;
        if (id != null) {
            // also while the facade closes its components: it still runs commands until they are closed
            redis.execute("wake " + name, c -> c.clientUnblock(id, UnblockType.TIMEOUT));
        }
    }

    /** Returns whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Closes the connection; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        wake();
        redis.unregister(this);
        connection.close();
    }
}
