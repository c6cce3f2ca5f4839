package io.pulse.rmap;

import io.pulse.core.Subscription;
import io.pulse.core.internal.BoundedDispatcher;
import io.pulse.core.internal.DaemonThreads;
import io.pulse.core.internal.LogThrottle;
import io.pulse.core.internal.RedisFacade;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The change listeners of one map handle: each gets its events in order on the callback executor (the
 * user's, or one daemon thread started with the first listener), through a bounded queue whose
 * overflow is replaced by one RESYNC event. Thread-safe.
 */
final class MapListeners {

    /** How many events a listener may fall behind before its backlog becomes one RESYNC event. */
    static final int QUEUE = 10_000;

    private final String name;
    private final Replica replica;
    private final RedisFacade redis;
    private final Logger log;
    private final Executor userExecutor;
    private final LogThrottle overflows = new LogThrottle(Duration.ofSeconds(10));
    private ExecutorService ownExecutor; // guarded by this
    private boolean closed; // guarded by this

    MapListeners(String name, Replica replica, RedisFacade redis, Logger log, Executor userExecutor) {
        this.name = name;
        this.replica = replica;
        this.redis = redis;
        this.log = log;
        this.userExecutor = userExecutor;
    }

    /** Starts delivering this replica's changes to {@code listener}; returns the handle that stops it. */
    Subscription add(Consumer<MapEvent> listener) {
        BoundedDispatcher<MapEvent> dispatcher = new BoundedDispatcher<>(callbackExecutor(), QUEUE, listener,
                this::overflowed);
        replica.addListener(dispatcher);
        return () -> replica.removeListener(dispatcher);
    }

    /** Stops this handle's own callback thread, if it started one. */
    synchronized void close() {
        closed = true;
        if (ownExecutor != null) {
            ownExecutor.shutdown();
        }
    }

    /** The event that replaces the backlog of a listener that fell too far behind. */
    private MapEvent overflowed() {
        if (overflows.tryLog() >= 0) {
            log.atWarn().addKeyValue("map", name).addKeyValue("dropped", QUEUE)
                    .log("a change listener fell behind; its backlog was replaced by one RESYNC event");
        }
        redis.events().mapListenerOverflowed(name, QUEUE);
        return new MapEvent(MapEvent.Kind.RESYNC, null, replica.revision());
    }

    private synchronized Executor callbackExecutor() {
        if (userExecutor != null) {
            return userExecutor;
        }
        if (ownExecutor == null) {
            ownExecutor = Executors.newSingleThreadExecutor(DaemonThreads.named("rmap", name));
            if (closed) {
                ownExecutor.shutdown();
            }
        }
        return ownExecutor;
    }
}
