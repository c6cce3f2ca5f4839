package io.pulse.pool;

import io.pulse.core.ClosedException;
import io.pulse.core.Subscription;
import io.pulse.core.TracePropagation;
import io.pulse.core.internal.DaemonThreads;
import io.pulse.streaming.Event;
import io.pulse.streaming.Reader;
import io.pulse.streaming.Stream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The one blocking read of a node: its node stream and the streams of all its workers, read by one
 * {@code XREAD} on one connection and one thread, however many workers the node hosts. Node events
 * (acks to route, dispatch results) are handled on the reading thread, which only sends asynchronous
 * commands for them; each worker's events go to a {@link SerialQueue} of that worker on a shared
 * executor, whose threads start when workers have events to handle and end when idle, so a slow
 * handler holds up only its own worker. Thread-safe.
 */
final class NodeReads implements AutoCloseable {

    /** How long an idle handler thread waits for more work before it ends. */
    private static final long IDLE_SECONDS = 5;
    /** The id before every event of a stream: a worker reads its stream from the oldest event. */
    private static final String BEFORE_OLDEST = "0-0";

    private final Reader reader;
    private final String nodeStream;
    private final Consumer<Event> nodeEvents;
    private final Logger log;
    private final ThreadPoolExecutor handlers;
    private final TracePropagation tracing;
    private final Map<String, SerialQueue> workers = new ConcurrentHashMap<>();

    /**
     * @param reader the node stream's reader, to which worker streams are added
     * @param nodeEvents handles the node stream's events, on the reading thread: must not block
     * @param tracing runs each worker event's handling inside the trace context the event carries
     *     (the reader applies it on the reading thread only, and worker events are handled on others)
     */
    NodeReads(Reader reader, String nodeStream, Consumer<Event> nodeEvents, String pool, Logger log,
            TracePropagation tracing) {
        this.reader = reader;
        this.tracing = tracing;
        this.nodeStream = nodeStream;
        this.nodeEvents = nodeEvents;
        this.log = log;
        this.handlers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_SECONDS, TimeUnit.SECONDS,
                new SynchronousQueue<>(), DaemonThreads.named("pool", pool + "-worker"));
    }

    /** Starts reading; returns the subscription that stops it. */
    Subscription start() {
        return reader.subscribe(this::onEvent);
    }

    /** Reads {@code stream} from its oldest event on, handing each event to {@code handler} in order. */
    void attach(Stream stream, Consumer<Event> handler) {
        Consumer<Event> traced = tracing == TracePropagation.NONE ? handler
                : e -> tracing.consume(e.traceContext(), e.streamName(), "", () -> handler.accept(e));
        workers.put(stream.name(), new SerialQueue(handlers, traced, log));
        try {
            reader.addStream(stream, BEFORE_OLDEST);
        } catch (RuntimeException e) {
            workers.remove(stream.name());
            throw e;
        }
    }

    /**
     * Stops reading {@code stream}; events of it already queued are still handled, those read later are
     * dropped unacknowledged (the pool delivers them again elsewhere).
     */
    void detach(Stream stream) {
        workers.remove(stream.name());
        try {
            reader.removeStream(stream);
        } catch (ClosedException e) {
            // the node closed its reader first: nothing reads the stream any more
        }
    }

    private void onEvent(Event event) {
        if (event.streamName().equals(nodeStream)) {
            nodeEvents.accept(event);
            return;
        }
        if (EventKind.of(event.eventName()) == EventKind.INIT) {
            return; // written when a worker joins or its stream is recreated; nothing to handle
        }
        SerialQueue queue = workers.get(event.streamName());
        if (queue == null) {
            log.atDebug().addKeyValue("stream", event.streamName()).addKeyValue("event", event.id())
                    .log("event of a worker no longer here; left to redelivery");
            return;
        }
        queue.add(event);
    }

    /** Lets queued events finish on their threads and starts no new ones. */
    @Override
    public void close() {
        handlers.shutdown();
    }
}
