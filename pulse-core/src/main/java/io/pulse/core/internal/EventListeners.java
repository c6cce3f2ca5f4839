package io.pulse.core.internal;

import io.pulse.core.PulseEventListener;
import io.pulse.core.Subscription;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners registered on one facade, seen by emitting code as a single
 * {@link PulseEventListener}: {@link PulseEventListener#NONE} while there is none, so a component
 * checks one reference ({@code events != NONE}) before it computes anything for an event. Each
 * listener is called in registration order; one that throws is logged with back-off and does not keep
 * the others from the event. Thread-safe; registration is rare, emission lock-free.
 */
public final class EventListeners {

    private static final Logger LOG = LoggerFactory.getLogger(EventListeners.class);

    private volatile PulseEventListener current = PulseEventListener.NONE;
    private PulseEventListener[] registered = new PulseEventListener[0]; // guarded by this

    /** What emitting code calls: {@link PulseEventListener#NONE} when no listener is registered. */
    public PulseEventListener current() {
        return current;
    }

    /** Adds {@code listener}; the handle removes it. */
    public Subscription add(PulseEventListener listener) {
        Objects.requireNonNull(listener, "listener");
        Guarded guarded = new Guarded(listener);
        synchronized (this) {
            registered = Arrays.copyOf(registered, registered.length + 1);
            registered[registered.length - 1] = guarded;
            publish();
        }
        return () -> remove(guarded);
    }

    /** {@code listener} behind the guard that catches and logs what it throws. */
    public static PulseEventListener guarded(PulseEventListener listener) {
        return new Guarded(Objects.requireNonNull(listener, "listener"));
    }

    private synchronized void remove(Guarded guarded) {
        int at = Arrays.asList(registered).indexOf(guarded);
        if (at < 0) {
            return;
        }
        PulseEventListener[] left = new PulseEventListener[registered.length - 1];
        System.arraycopy(registered, 0, left, 0, at);
        System.arraycopy(registered, at + 1, left, at, left.length - at);
        registered = left;
        publish();
    }

    private void publish() {
        current = registered.length == 0 ? PulseEventListener.NONE
                : registered.length == 1 ? registered[0] : new Multicast(registered);
    }

    /** Calls each listener of a fixed array in turn. */
    private static final class Multicast extends Forwarding {
        private final PulseEventListener[] listeners;

        Multicast(PulseEventListener[] listeners) {
            this.listeners = listeners;
        }

        @Override
        void each(Consumer<PulseEventListener> call) {
            for (PulseEventListener listener : listeners) {
                call.accept(listener);
            }
        }
    }

    /** One user listener behind a guard: what it throws is logged, with back-off, and swallowed. */
    private static final class Guarded extends Forwarding {
        private final PulseEventListener listener;
        private final LogThrottle throttle = new LogThrottle(Duration.ofSeconds(10));

        Guarded(PulseEventListener listener) {
            this.listener = listener;
        }

        @Override
        void each(Consumer<PulseEventListener> call) {
            try {
                call.accept(listener);
            } catch (RuntimeException | LinkageError e) {
                long held = throttle.tryLog();
                if (held >= 0) {
                    LOG.atWarn().addKeyValue("listener", listener.getClass().getName())
                            .addKeyValue("heldBack", held).setCause(e)
                            .log("an event listener threw; Pulse goes on without it for this event");
                }
            }
        }
    }

    /** Forwards every event to {@link #each}. */
    private abstract static class Forwarding implements PulseEventListener {

        abstract void each(Consumer<PulseEventListener> call);

        @Override
        public void mapJoined(String map) {
            each(l -> l.mapJoined(map));
        }

        @Override
        public void mapLeft(String map) {
            each(l -> l.mapLeft(map));
        }

        @Override
        public void mapWritten(String map, String op, long nanos, String failure) {
            each(l -> l.mapWritten(map, op, nanos, failure));
        }

        @Override
        public void mapResynced(String map, String reason) {
            each(l -> l.mapResynced(map, reason));
        }

        @Override
        public void mapListenerOverflowed(String map, long dropped) {
            each(l -> l.mapListenerOverflowed(map, dropped));
        }

        @Override
        public void streamAdded(String stream, long nanos) {
            each(l -> l.streamAdded(stream, nanos));
        }

        @Override
        public void streamRead(String stream, String sink, int count) {
            each(l -> l.streamRead(stream, sink, count));
        }

        @Override
        public void streamAcked(String stream, String sink, long count) {
            each(l -> l.streamAcked(stream, sink, count));
        }

        @Override
        public void streamRedelivered(String stream, String sink, int count) {
            each(l -> l.streamRedelivered(stream, sink, count));
        }

        @Override
        public void streamTrimmed(String stream, long removed) {
            each(l -> l.streamTrimmed(stream, removed));
        }

        @Override
        public void sinkJoined(String stream, String sink, String consumer) {
            each(l -> l.sinkJoined(stream, sink, consumer));
        }

        @Override
        public void sinkLeft(String stream, String sink, String consumer) {
            each(l -> l.sinkLeft(stream, sink, consumer));
        }

        @Override
        public void nodeJoined(String pool, String node) {
            each(l -> l.nodeJoined(pool, node));
        }

        @Override
        public void nodeLeft(String pool, String node) {
            each(l -> l.nodeLeft(pool, node));
        }

        @Override
        public void workerAdded(String pool, String worker) {
            each(l -> l.workerAdded(pool, worker));
        }

        @Override
        public void workerRemoved(String pool, String worker) {
            each(l -> l.workerRemoved(pool, worker));
        }

        @Override
        public void workerEvicted(String pool, String worker) {
            each(l -> l.workerEvicted(pool, worker));
        }

        @Override
        public void jobDispatched(String pool, String key, long nanos, String failure) {
            each(l -> l.jobDispatched(pool, key, nanos, failure));
        }

        @Override
        public void jobStarted(String pool, String worker, String key, long nanos) {
            each(l -> l.jobStarted(pool, worker, key, nanos));
        }

        @Override
        public void jobStopped(String pool, String worker, String key) {
            each(l -> l.jobStopped(pool, worker, key));
        }

        @Override
        public void jobFailed(String pool, String worker, String key, String message) {
            each(l -> l.jobFailed(pool, worker, key, message));
        }

        @Override
        public void jobRequeued(String pool, String key, PulseEventListener.RequeueReason reason) {
            each(l -> l.jobRequeued(pool, key, reason));
        }

        @Override
        public void redisDisconnected(PulseEventListener.ConnectionRole role) {
            each(l -> l.redisDisconnected(role));
        }

        @Override
        public void redisReconnected(PulseEventListener.ConnectionRole role, long downNanos) {
            each(l -> l.redisReconnected(role, downNanos));
        }
    }
}
