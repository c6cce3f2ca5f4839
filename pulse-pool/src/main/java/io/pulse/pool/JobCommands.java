package io.pulse.pool;

import io.pulse.core.ClosedException;
import io.pulse.core.internal.Futures;
import io.pulse.streaming.Stream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

/**
 * What a node asks of its pool's jobs: dispatch a new job, stop one, notify one's handler. Used by the
 * node's public methods and by its schedules. Bad arguments throw before any Redis I/O; after the node
 * started to leave every command fails with {@link ClosedException}. Thread-safe.
 */
final class JobCommands {

    private final PoolConfig config;
    private final Dispatcher dispatcher;
    private final Stream poolStream;
    private final BooleanSupplier leaving;
    private final Duration dispatchTimeout;
    private final Logger log;

    /**
     * @param leaving whether the node started to leave the pool
     * @param syncTimeout the facade's bound on one blocking call
     */
    JobCommands(PoolConfig config, Dispatcher dispatcher, Stream poolStream, BooleanSupplier leaving,
            Duration syncTimeout) {
        this.config = config;
        this.dispatcher = dispatcher;
        this.poolStream = poolStream;
        this.leaving = leaving;
        this.dispatchTimeout = config.dispatchWait().plus(syncTimeout);
        this.log = config.log();
    }

    /** The longest a caller waits for a dispatch: its own wait for the start result plus a Redis call. */
    Duration dispatchTimeout() {
        return dispatchTimeout;
    }

    /** Claims, starts and awaits a new job; as the public dispatchJob of a node promises. */
    CompletableFuture<Void> dispatch(String key, byte[] payload) {
        validKey(key);
        Objects.requireNonNull(payload, "payload");
        if (leaving.getAsBoolean()) {
            return Futures.failed(new ClosedException("pool " + config.pool() + ": node " + config.nodeId() + " is closed"));
        }
        return dispatcher.dispatch(key, payload);
    }

    /** Queues a stop of the job {@code key} for its owner. Blocking. */
    void stop(String key) {
        validKey(key);
        ensureOpen("stopJob");
        poolStream.add(EventKind.STOP.code(), PoolCodec.jobKey(key));
        log.atInfo().addKeyValue("pool", config.pool()).addKeyValue("job", key).log("stop requested");
    }

    /** Queues a notification for the handler of the job {@code key}. Blocking. */
    void notify(String key, byte[] payload) {
        validKey(key);
        Objects.requireNonNull(payload, "payload");
        ensureOpen("notifyWorker");
        poolStream.add(EventKind.NOTIFY.code(), PoolCodec.notification(key, payload));
    }

    private void ensureOpen(String op) {
        if (leaving.getAsBoolean()) {
            throw new ClosedException("pool " + config.pool() + ": node " + config.nodeId() + " is closed: cannot " + op);
        }
    }

    /**
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalArgumentException if it is empty or contains {@code =} (the pool's maps reserve it)
     */
    static void validKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("job key must not be empty");
        }
        if (key.indexOf('=') >= 0) {
            throw new IllegalArgumentException("job key \"" + key + "\" must not contain '='");
        }
    }
}
