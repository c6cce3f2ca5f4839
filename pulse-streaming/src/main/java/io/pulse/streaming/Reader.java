package io.pulse.streaming;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.pulse.core.ClosedException;
import io.pulse.core.Subscription;
import io.pulse.core.internal.Args;
import io.pulse.core.internal.BlockingConnection;
import io.pulse.core.internal.RedisFacade;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * A thread-safe, independent cursor over one or more streams that sees every event added after its
 * start position (fan-out): many readers of one stream each get all its events, in order.
 *
 * <p>Pull events with {@link #read()} (blocks up to the block duration, empty on timeout), or push
 * them with {@link #subscribe}: each subscription reads on its own connection and thread from the
 * reader's start position, so a slow subscriber holds up only itself. Readers acknowledge nothing and
 * leave no state in Redis. {@link #close()} returns promptly even while a read is blocked.
 */
public final class Reader implements AutoCloseable {

    private final RedisFacade redis;
    private final Logger log;
    private final ReadSettings settings;
    private final String label;

    /** Where each stream starts for a new subscription: stream name -> id to read after. */
    private final Map<String, String> origins = new ConcurrentHashMap<>();
    private final Cursors pullCursors = new Cursors();
    private final List<Stream> streams = new ArrayList<>(); // guarded by this
    private final ConsumerCore core;

    private Reader(Builder b, Map<String, String> resolvedOrigins) {
        Stream first = b.stream;
        this.redis = b.stream.facade();
        this.log = b.stream.log();
        this.settings = b.settings();
        this.label = b.stream.name();
        origins.putAll(resolvedOrigins);
        streams.add(first);
        pullCursors.add(first, origins.get(first.name()));
        this.core = new ConsumerCore(redis, "reader", label, settings.block(), log);
    }

    /** Options of a reader; not thread-safe, ends in {@link #open()}. */
    public static final class Builder extends ReadOptions<Builder> {
        private final Stream stream;

        Builder(Stream stream) {
            this.stream = stream;
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Opens the reader. A newest start position is resolved now to the id of the stream's last event,
         * so every event added after this call is read.
         *
         * @throws PulseException if Redis fails
         */
        public Reader open() {
            stream.facade().ensureOpen("open a reader on " + stream.name());
            String origin = resolve(stream, start);
            Reader reader = new Reader(this, Map.of(stream.name(), origin));
            stream.facade().register(reader);
            stream.log().atDebug().addKeyValue("reader", stream.name()).addKeyValue("start", origin).log("reader opened");
            return reader;
        }
    }

    /** The id to read after for {@code position}; newest is the stream's last id now. */
    static String resolve(Stream stream, StartPosition position) {
        if (position.kind != StartPosition.Kind.NEWEST) {
            return position.id;
        }
        List<StreamMessage<byte[], byte[]>> last = stream.facade().executeSync("stream " + stream.name() + ": newest id",
                c -> c.xrevrange(stream.key(), Range.create("-", "+"), Limit.from(1)));
        return last == null || last.isEmpty() ? "0-0" : last.get(0).getId();
    }

    // ------------------------------------------------------------------ pull

    /** Reads the next events, waiting up to the block duration; see {@link #read(Duration)}. */
    public List<Event> read() {
        return read(settings.block());
    }

    /**
     * Returns the next events of the reader's streams (at most {@code maxPolled}), waiting up to
     * {@code timeout} for one; an empty list if none came. Calls from several threads take turns.
     *
     * @throws ClosedException if the reader is closed
     * @throws PulseException if Redis fails
     */
    public List<Event> read(Duration timeout) {
        Args.positive("timeout", timeout);
        return core.read(() -> ensureOpen("read"), c -> fetch(c, pullCursors, timeout, settings.maxPolled()));
    }

    private List<Event> fetch(BlockingConnection connection, Cursors cursors, Duration timeout, int count) {
        // taken first: a stream added after the offsets are read wakes the read below before it blocks
        long mark = connection.wakeMark();
        XReadArgs.StreamOffset<byte[]>[] offsets = cursors.afterCursors();
        if (offsets.length == 0) {
            cursors.awaitStreams(timeout);
            return List.of();
        }
        XReadArgs args = XReadArgs.Builder.block(Math.max(1, timeout.toMillis())).count(count);
        List<StreamMessage<byte[], byte[]>> messages = connection.callPerSlot("read " + label, timeout, mark,
                offsets, (c, o) -> c.xread(args, o));
        if (messages == null || messages.isEmpty()) {
            return List.of();
        }
        List<Event> events = new ArrayList<>(messages.size());
        for (StreamMessage<byte[], byte[]> message : messages) {
            Event event = EntryCodec.decode(message, "", redis.layout(), log);
            cursors.advance(EntryCodec.streamName(message, redis.layout()), message.getId());
            if (event != null && settings.filter().keeps(event.topic())) {
                events.add(event);
            }
        }
        return events;
    }

    // ------------------------------------------------------------------ push

    /**
     * Delivers every event from the reader's start position on to {@code subscriber}, in order, on a
     * thread of its own with a connection of its own. Exceptions it throws are logged; delivery goes
     * on. Returns the handle that stops it.
     *
     * @throws ClosedException if the reader is closed
     */
    public Subscription subscribe(Consumer<Event> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        synchronized (this) {
            ensureOpen("subscribe");
            Cursors cursors = new Cursors();
            for (Stream s : streams) {
                cursors.add(s, origins.get(s.name()));
            }
            return core.subscribe(cursors, c -> fetch(c, cursors, settings.block(), settings.pushBatch()), subscriber);
        }
    }

    // ------------------------------------------------------------------ fan-in

    /**
     * Also reads {@code stream}, from the reader's start position (newest resolved now); a no-op if it
     * is read already. Takes effect at once, also for blocked reads.
     */
    public void addStream(Stream stream) {
        Objects.requireNonNull(stream, "stream");
        addStream(stream, resolve(stream, settings.start()));
    }

    /** Also reads {@code stream}, from the first event after {@code afterId}; a no-op if already read. */
    public void addStream(Stream stream, String afterId) {
        Objects.requireNonNull(stream, "stream");
        String origin = StartPosition.after(afterId).id;
        synchronized (this) {
            ensureOpen("addStream");
            if (streams.stream().anyMatch(s -> s.name().equals(stream.name()))) {
                return;
            }
            origins.put(stream.name(), origin);
            streams.add(stream);
            pullCursors.add(stream, origin);
            core.forEachCursors(c -> c.add(stream, origin));
        }
        core.wakeAll();
        log.atDebug().addKeyValue("reader", label).addKeyValue("stream", stream.name()).log("stream added");
    }

    /** Stops reading {@code stream}; a no-op if it is not read. Takes effect at once. */
    public void removeStream(Stream stream) {
        Objects.requireNonNull(stream, "stream");
        synchronized (this) {
            ensureOpen("removeStream");
            if (!streams.removeIf(s -> s.name().equals(stream.name()))) {
                return;
            }
            origins.remove(stream.name());
            pullCursors.remove(stream.name());
            core.forEachCursors(c -> c.remove(stream.name()));
        }
        core.wakeAll();
        log.atDebug().addKeyValue("reader", label).addKeyValue("stream", stream.name()).log("stream removed");
    }

    /** The names of the streams this reader reads. */
    public synchronized List<String> streamNames() {
        List<String> names = new ArrayList<>(streams.size());
        streams.forEach(s -> names.add(s.name()));
        return names;
    }

    // ------------------------------------------------------------------ lifecycle

    /** Whether this reader was closed. */
    public boolean isClosed() {
        return core.isClosed();
    }

    /**
     * Stops every subscription (events already fetched are delivered first) and ends a blocked
     * {@link #read()}. Writes nothing to Redis. Idempotent; safe from any thread, including a
     * subscriber's callback.
     */
    @Override
    public void close() {
        if (!core.markClosed(this)) {
            return;
        }
        pullCursors.wakeUp();
        core.close();
        redis.unregister(this);
        log.atDebug().addKeyValue("reader", label).log("reader closed");
    }

    private void ensureOpen(String op) {
        core.ensureOpen("reader of " + label, op);
    }

}
