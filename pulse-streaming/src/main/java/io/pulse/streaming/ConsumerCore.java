package io.pulse.streaming;

import io.pulse.core.ClosedException;
import io.pulse.core.PulseEventListener;
import io.pulse.core.Subscription;
import io.pulse.core.TracePropagation;
import io.pulse.core.internal.BlockingConnection;
import io.pulse.core.internal.RedisFacade;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * The reading machinery a reader or a sink instance is built on: its pull side (one connection of its
 * own, opened at the first read) and its push subscriptions (each a loop with a thread and a
 * connection of its own), woken together when the set of streams changes, stopped together when the
 * reader or sink closes. Thread-safe; {@link #wakeAll()} takes no lock, so a Redis I/O thread may call
 * it.
 */
final class ConsumerCore {

    private final RedisFacade redis;
    private final String what;
    private final String name;
    private final Logger log;
    private final PullReads pull;
    /** Changed under the owner's lock; read without one. */
    private final List<Loop> loops = new CopyOnWriteArrayList<>();
    /** Set under the owner's lock, which its subscribing and changes of streams hold too. */
    private volatile boolean closed;

    /** One push subscription and the read positions it reads at. */
    private record Loop(PushLoop loop, Cursors cursors) {
    }

    /**
     * @param what {@code reader} or {@code sink}, for thread and connection names
     * @param name the reader's stream or the sink's name, for the same
     */
    ConsumerCore(RedisFacade redis, String what, String name, Duration block, Logger log) {
        this.redis = redis;
        this.what = what;
        this.name = name;
        this.log = log;
        this.pull = new PullReads(redis, what + "-" + name, block);
    }

    /**
     * Marks the owner closed, under {@code ownerLock} (the lock its subscribing and changes of streams
     * hold); returns {@code false} if it was closed already, in which case the caller does nothing more.
     */
    boolean markClosed(Object ownerLock) {
        synchronized (ownerLock) {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        }
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * @throws ClosedException if the owner is closed
     */
    void ensureOpen(String owner, String op) {
        if (closed) {
            throw new ClosedException(owner + " is closed: cannot " + op);
        }
    }

    /** Runs one pull read, after any other thread's; see {@link PullReads#read}. */
    List<Event> read(Runnable ensureOpen, Function<BlockingConnection, List<Event>> read) {
        return observed(pull.read(ensureOpen, read));
    }

    /**
     * Starts a push subscription: a loop that reads with {@code fetch}, on a connection of its own, at
     * {@code cursors}, and hands each event to {@code subscriber}. Returns the handle that stops it.
     * The owner calls it under its lock, after checking it is open.
     */
    Subscription subscribe(Cursors cursors, Function<BlockingConnection, List<Event>> fetch,
            Consumer<Event> subscriber) {
        BlockingConnection connection = redis.openBlockingConnection(what + "-" + name);
        Loop[] self = new Loop[1];
        TracePropagation tracing = redis.tracing();
        Consumer<Event> handler = tracing == TracePropagation.NONE ? subscriber
                : event -> tracing.consume(event.traceContext(), event.streamName(), event.sinkName(),
                        () -> subscriber.accept(event));
        PushLoop loop = new PushLoop(what, name, new PushLoop.Fetcher() {
            @Override
            public List<Event> fetch() {
                return observed(fetch.apply(connection));
            }

            @Override
            public void wake() {
                cursors.wakeUp();
                connection.wake();
            }

            @Override
            public void release() {
                connection.close();
            }
        }, handler, log, () -> loops.remove(self[0]), pull.closeWait());
        self[0] = new Loop(loop, cursors);
        loops.add(self[0]);
        loop.start();
        return loop;
    }

    /** Reports {@code events}, just read, to the event listener: one report per run of one stream. */
    private List<Event> observed(List<Event> events) {
        PulseEventListener listener = redis.events();
        if (listener != PulseEventListener.NONE) {
            int from = 0;
            for (int i = 1; i <= events.size(); i++) {
                if (i == events.size() || !events.get(i).streamName().equals(events.get(from).streamName())) {
                    listener.streamRead(events.get(from).streamName(), events.get(from).sinkName(), i - from);
                    from = i;
                }
            }
        }
        return events;
    }

    /** Applies {@code change} to the read positions of every push subscription (under the owner's lock). */
    void forEachCursors(Consumer<Cursors> change) {
        loops.forEach(l -> change.accept(l.cursors()));
    }

    /** Makes every blocked read, pushed or pulled, return now: the set of streams changed. */
    void wakeAll() {
        loops.forEach(l -> l.loop().wake());
        pull.wake();
    }

    /**
     * Ends a blocked pull read and stops every push subscription, each after delivering the events it
     * already fetched (waiting for each a bounded time).
     */
    void close() {
        List<Loop> toStop = new ArrayList<>(loops);
        pull.close();
        toStop.forEach(l -> l.loop().close());
    }
}
