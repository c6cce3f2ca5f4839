package io.pulse.streaming;

import io.lettuce.core.Consumer;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.pulse.core.ClosedException;
import io.pulse.core.PulseException;
import io.pulse.core.Subscription;
import io.pulse.core.internal.Args;
import io.pulse.core.internal.BlockingConnection;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.RedisFacade;
import io.pulse.core.internal.Ulid;
import io.pulse.rmap.ReplicatedMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;

/**
 * A thread-safe instance of a named sink: a Redis consumer group over one or more streams whose
 * instances share the events, each event going to one instance, at least once.
 *
 * <p>Pull events with {@link #read()} or push them with {@link #subscribe}, then {@link #ack} each
 * one once handled. An event not acknowledged within the ack grace period (its instance died, hung or
 * forgot) is re-claimed by a live instance and delivered again, so handlers must be idempotent. Each
 * push subscription reads on its own connection and thread; several of them share the instance's
 * events. The instance's keep-alive and the re-claiming run in the background whatever the
 * subscribers do. {@link #close()} leaves unacknowledged events pending for the other instances.
 *
 * <p>The Redis layout is Go Pulse's (group named after the sink, consumer registry and keep-alive
 * replicated maps, the {@code sink:<name>:stalelease} lease), so Java and Go instances of one sink
 * share its work.
 */
public final class Sink implements AutoCloseable {

    private final String name;
    private final SinkGroup groups;
    private final String consumer = Ulid.next();
    private final RedisFacade redis;
    private final Logger log;
    private final ReadSettings settings;
    private final boolean noAck;
    private final Cursors cursors = new Cursors();
    private final SinkStateMaps state;
    private final SinkMaintenance maintenance;
    private final ReclaimedEvents reclaimed = new ReclaimedEvents();
    private final ConsumerCore core;
    private final AckCoalescer acks;

    private Sink(Builder b, SinkStateMaps state) {
        this.name = b.name;
        Stream first = b.stream;
        this.redis = b.stream.facade();
        this.groups = new SinkGroup(redis, b.name, consumer);
        this.log = b.stream.log();
        this.settings = b.settings();
        this.noAck = b.noAck;
        this.state = state;
        this.cursors.add(first, ">");
        this.maintenance = new SinkMaintenance(name, consumer, state, new SinkMaintenance.Owner() {
            @Override
            public List<Stream> streams() {
                return cursors.streams();
            }

            @Override
            public boolean isClosed() {
                return Sink.this.isClosed();
            }

            @Override
            public void reclaimed(List<StreamMessage<byte[], byte[]>> messages) {
                acceptReclaimed(messages);
            }
        }, redis, log, b.ackGrace, b.claimPeriod);
        this.core = new ConsumerCore(redis, "sink", name, b.block, log);
        this.acks = new AckCoalescer(redis, name, s -> Stream.bytes(redis.layout().streamKey(s)), groups.group(),
                b.ackFlushDelay, settings.maxPolled(), log);
    }

    /** Options of a sink instance; not thread-safe, ends in {@link #open()}. */
    public static final class Builder extends ReadOptions<Builder> {
        private final Stream stream;
        private final String name;
        private boolean noAck;
        private Duration ackGrace = Duration.ofSeconds(20);
        private Duration claimPeriod = Duration.ofMillis(500);
        private Duration ackFlushDelay = Duration.ofMillis(1);

        Builder(Stream stream, String name) {
            this.stream = stream;
            this.name = name;
        }

        @Override
        Builder self() {
            return this;
        }

        /** Events count as handled once read: no acknowledgements, no redelivery (at most once). */
        public Builder noAck() {
            this.noAck = true;
            return this;
        }

        /**
         * How long an event may stay unacknowledged before another instance gets it (default 20 s; must
         * be positive). It also paces the keep-alive (half of it), and an instance silent for twice
         * this long is removed. Every instance of a sink must use the same value.
         */
        public Builder ackGracePeriod(Duration grace) {
            this.ackGrace = Args.positive("ackGracePeriod", grace);
            return this;
        }

        /**
         * How long the acknowledgement of a single event waits for others to share its {@code XACK}
         * (default 1 ms; zero sends each at once; at most 1 s). A flush also starts once
         * {@code maxPolled} acknowledgements wait, on a blocking {@link Sink#ack(Event)}, and on close.
         */
        public Builder ackFlushDelay(Duration delay) {
            Args.nonNegative("ackFlushDelay", delay);
            if (delay.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException("ackFlushDelay must be at most 1s, got " + delay);
            }
            this.ackFlushDelay = delay;
            return this;
        }

        /** How often instances compete to re-claim idle events (default 500 ms); for tests. */
        Builder claimPeriod(Duration period) {
            this.claimPeriod = Args.positive("claimPeriod", period);
            return this;
        }

        /**
         * Opens the instance: joins the sink's registry and keep-alive maps, creates the group if it
         * does not exist (a newest start position is resolved now to a concrete id), registers this
         * instance's consumer and starts its background work.
         *
         * @throws PulseException if Redis fails
         */
        public Sink open() {
            RedisFacade redis = stream.facade();
            redis.ensureOpen("open sink " + name);
            SinkStateMaps state = new SinkStateMaps(name, stream.redis(), stream.layout());
            try {
                state.attach(stream.name());
                Sink sink = new Sink(this, state);
                sink.groups.create(stream, Reader.resolve(stream, start));
                Futures.await(stream.applyTtl(), redis.syncTimeout(), "sink " + name + ": apply stream TTL");
                sink.register(stream);
                sink.maintenance.removeStaleConsumersNow(stream).exceptionally(e -> {
                    stream.log().atWarn().addKeyValue("sink", name).setCause(e).log("stale consumer cleanup failed");
                    return null;
                });
                sink.maintenance.start();
                redis.register(sink, listener -> sink.cursors.streams()
                        .forEach(s -> listener.sinkJoined(s.name(), name, sink.consumer)));
                redis.events().sinkJoined(stream.name(), name, sink.consumer);
                stream.log().atDebug().addKeyValue("sink", name).addKeyValue("consumer", sink.consumer)
                        .addKeyValue("stream", stream.name()).addKeyValue("start", start).log("sink opened");
                return sink;
            } catch (RuntimeException e) {
                state.close();
                throw e;
            }
        }
    }

    /** Writes the keep-alive before the consumer exists, so no cleaner can take it for a dead one. */
    private void register(Stream stream) {
        state.keepAlives(stream.name()).set(consumer, Long.toString(SinkMaintenance.nowNanos()));
        groups.createConsumer(stream);
        state.registry(stream.name()).appendUniqueValues(name, consumer);
    }

    // ------------------------------------------------------------------ reading

    /** Reads the next events, waiting up to the block duration; see {@link #read(Duration)}. */
    public List<Event> read() {
        return read(settings.block());
    }

    /**
     * Returns the next events for this instance (at most {@code maxPolled}): re-claimed ones first,
     * then new ones, waiting up to {@code timeout}; an empty list if none came. Acknowledge each once
     * handled. Calls from several threads take turns.
     *
     * @throws ClosedException if the sink is closed
     * @throws PulseException if Redis fails
     */
    public List<Event> read(Duration timeout) {
        Args.positive("timeout", timeout);
        return core.read(() -> ensureOpen("read"), c -> fetch(c, timeout, settings.maxPolled()));
    }

    private List<Event> fetch(BlockingConnection connection, Duration timeout, int count) {
        // taken first: events re-claimed or a stream added from here on wake the read below before it blocks
        long mark = connection.wakeMark();
        List<Event> events = takeReclaimed(count);
        if (!events.isEmpty()) {
            return events;
        }
        XReadArgs.StreamOffset<byte[]>[] offsets = cursors.undelivered();
        if (offsets.length == 0) {
            cursors.awaitStreams(timeout);
            return takeReclaimed(count);
        }
        XReadArgs args = XReadArgs.Builder.block(Math.max(1, timeout.toMillis())).count(count).noack(noAck);
        List<StreamMessage<byte[], byte[]>> messages;
        try {
            messages = connection.callPerSlot("sink " + name + ": read", timeout, mark,
                    offsets, (c, o) -> c.xreadgroup(groups.consumer(), args, o));
        } catch (PulseException e) {
            if (!(e instanceof ClosedException) && SinkGroup.isGone(e)) {
                recreateGroups();
                return List.of();
            }
            throw e;
        }
        if (messages == null || messages.isEmpty()) {
            return takeReclaimed(count);
        }
        return deliverable(messages);
    }

    /** Decodes entries; those that cannot be used (malformed, filtered out) are acknowledged now. */
    private List<Event> deliverable(List<StreamMessage<byte[], byte[]>> messages) {
        List<Event> events = new ArrayList<>(messages.size());
        List<Event> skipped = new ArrayList<>();
        for (StreamMessage<byte[], byte[]> message : messages) {
            Event event = EntryCodec.decode(message, name, redis.layout(), log);
            if (event == null) {
                skipped.add(new Event(message.getId(), EntryCodec.streamName(message, redis.layout()), name, "", "",
                        new byte[0]));
            } else if (!settings.filter().keeps(event.topic())) {
                skipped.add(event);
            } else {
                events.add(event);
            }
        }
        if (!skipped.isEmpty() && !noAck) {
            ackAsync(skipped).exceptionally(e -> {
                log.atWarn().addKeyValue("sink", name).setCause(e).log("acknowledging skipped events failed");
                return null;
            });
        }
        return events;
    }

    /**
     * The stream or the group was deleted (or expired): recreate the group from the oldest event the
     * stream holds, so events can repeat but none is skipped.
     */
    private void recreateGroups() {
        for (Stream stream : cursors.streams()) {
            log.atWarn().addKeyValue("sink", name).addKeyValue("stream", stream.name())
                    .log("consumer group or stream is gone; recreating the group from the oldest event");
            groups.create(stream, "0-0");
            Futures.await(stream.applyTtl(), redis.syncTimeout(), "sink " + name + ": apply stream TTL");
        }
    }

    /** Keeps events the maintenance re-claimed for this consumer until a read takes them. */
    private void acceptReclaimed(List<StreamMessage<byte[], byte[]>> messages) {
        List<Event> events = deliverable(messages);
        if (events.isEmpty()) {
            return;
        }
        reclaimed.add(events);
        wakeAll();
    }

    private List<Event> takeReclaimed(int count) {
        return reclaimed.take(count);
    }

    // ------------------------------------------------------------------ acknowledging

    /**
     * Acknowledges {@code event} and waits until Redis has it: it is handled and will not be delivered
     * again. Blocks one round trip (its {@code XACK} leaves at once, carrying any acknowledgements
     * queued by {@link #ackAsync(Event)}), so a push handler calling it handles one event per round
     * trip; prefer {@link #ackAsync(Event)} there.
     *
     * @throws PulseException if Redis fails (the event stays pending and is redelivered)
     */
    public void ack(Event event) {
        Futures.await(ackCoalesced(event, true), redis.syncTimeout(), "sink " + name + ": ack");
    }

    /**
     * Queues the acknowledgement of {@code event}; it leaves with the others queued in one {@code XACK}
     * per stream after the {@linkplain Builder#ackFlushDelay flush delay}, once {@code maxPolled} are
     * queued, or when the subscription or instance closes. Never blocks. The future completes only
     * once Redis answered that {@code XACK}, and fails with the facade's {@link PulseException}
     * ({@code NotSentException}, {@code OutcomeUnknownException}, ...) if the flush failed, in which case
     * the event stays pending and is redelivered. If the process dies with acknowledgements queued,
     * their events are delivered again after the grace period. The future may complete on a Redis I/O
     * thread: stages chained to it must not block.
     */
    public CompletableFuture<Void> ackAsync(Event event) {
        return ackCoalesced(event, false);
    }

    private CompletableFuture<Void> ackCoalesced(Event event, boolean now) {
        checkReadHere(Objects.requireNonNull(event, "event"));
        return noAck ? CompletableFuture.completedFuture(null) : acks.ack(event.streamName(), event.id(), now);
    }

    private void checkReadHere(Event e) {
        if (!name.equals(e.sinkName())) {
            throw new IllegalArgumentException("event " + e.id() + " was read by "
                    + (e.sinkName().isEmpty() ? "a reader" : "sink " + e.sinkName()) + ", not by sink " + name);
        }
    }

    /** Acknowledges a batch of events in one round trip per stream. */
    public void ack(Collection<Event> events) {
        Futures.await(ackAsync(events), redis.syncTimeout(), "sink " + name + ": ack");
    }

    /** Async twin of {@link #ack(Collection)}; completes with the number of events acknowledged. */
    public CompletableFuture<Long> ackAsync(Collection<Event> events) {
        Objects.requireNonNull(events, "events");
        Map<String, List<String>> byStream = new LinkedHashMap<>();
        for (Event e : events) {
            checkReadHere(Objects.requireNonNull(e, "event"));
            byStream.computeIfAbsent(e.streamName(), k -> new ArrayList<>()).add(e.id());
        }
        if (noAck || byStream.isEmpty()) {
            return CompletableFuture.completedFuture(0L);
        }
        return acks.ackBatch(byStream);
    }

    // ------------------------------------------------------------------ push

    /**
     * Delivers this instance's events to {@code subscriber} on a thread of its own with a connection of
     * its own; the subscriber acknowledges them (typically {@code sink.ackAsync(e)} after handling, whose
     * acks the instance coalesces). Several subscriptions of one instance share its events. Exceptions
     * the subscriber throws are logged and leave the event unacknowledged, so it is redelivered after
     * the grace period. Closing the subscription also sends the instance's queued acknowledgements and
     * waits for them, as long as a blocking call may wait.
     *
     * @throws ClosedException if the sink is closed
     */
    public Subscription subscribe(java.util.function.Consumer<Event> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        synchronized (this) {
            ensureOpen("subscribe");
            // the instance's subscriptions share its read positions: the group hands each event to one
            Subscription loop = core.subscribe(cursors, c -> fetch(c, settings.block(), settings.pushBatch()),
                    subscriber);
            // acknowledgements the subscriber queued reach Redis before close returns
            return () -> {
                loop.close();
                acks.flushAndWait(redis.syncTimeout());
            };
        }
    }

    // ------------------------------------------------------------------ fan-in

    /** Also consumes {@code stream}, its group starting at this sink's start position if new. */
    public void addStream(Stream stream) {
        Objects.requireNonNull(stream, "stream");
        addStream(stream, null);
    }

    /**
     * Also consumes {@code stream}; if the sink's group does not exist on it yet, it starts after
     * {@code afterId} ({@code null}: this sink's start position). A no-op if already consumed.
     */
    public void addStream(Stream stream, String afterId) {
        Objects.requireNonNull(stream, "stream");
        StartPosition position = afterId == null ? settings.start() : StartPosition.after(afterId);
        synchronized (this) {
            ensureOpen("addStream");
            if (cursors.contains(stream.name())) {
                return;
            }
            ReplicatedMap newKeepAlives = state.attach(stream.name());
            try {
                groups.create(stream, Reader.resolve(stream, position));
                if (newKeepAlives != null) {
                    newKeepAlives.set(consumer, Long.toString(SinkMaintenance.nowNanos()));
                }
                state.registry(stream.name()).appendUniqueValues(name, consumer);
            } catch (RuntimeException e) {
                ReplicatedMap registry = state.detach(stream.name());
                if (registry != null) {
                    registry.close();
                }
                throw e;
            }
            cursors.add(stream, ">");
        }
        redis.events().sinkJoined(stream.name(), name, consumer);
        wakeAll();
        log.atDebug().addKeyValue("sink", name).addKeyValue("stream", stream.name()).log("stream added");
    }

    /**
     * Stops consuming {@code stream} (a no-op if not consumed). If no instance of this sink remains on
     * it, the sink's group on that stream is destroyed.
     */
    public void removeStream(Stream stream) {
        Objects.requireNonNull(stream, "stream");
        ReplicatedMap registry;
        synchronized (this) {
            ensureOpen("removeStream");
            if (!cursors.remove(stream.name())) {
                return;
            }
            registry = state.detach(stream.name());
        }
        wakeAll();
        if (registry != null) {
            try {
                List<String> remaining = registry.removeValues(name, consumer);
                if (remaining.isEmpty()) {
                    groups.destroy(stream);
                }
            } finally {
                registry.close();
            }
        }
        redis.events().sinkLeft(stream.name(), name, consumer);
        log.atDebug().addKeyValue("sink", name).addKeyValue("stream", stream.name()).log("stream removed");
    }

    /**
     * Wakes every blocked read of this instance. Takes no lock: it runs on a Redis I/O thread when
     * re-claimed events arrive, and must not wait for {@code addStream}, which holds this instance's
     * lock while it talks to Redis.
     */
    private void wakeAll() {
        core.wakeAll();
    }

    // ------------------------------------------------------------------ accessors

    /** The sink's name (also its consumer group's name). */
    public String name() {
        return name;
    }

    /** This instance's consumer name in the group (a ULID). */
    public String consumer() {
        return consumer;
    }

    /** The names of the streams this instance consumes. */
    public List<String> streamNames() {
        List<String> names = new ArrayList<>();
        cursors.streams().forEach(s -> names.add(s.name()));
        return names;
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Stops this instance: its subscriptions end (events already fetched are delivered first), a
     * blocked {@link #read()} returns, background work stops, acknowledgements queued by
     * {@link #ackAsync(Event)} are sent and waited for (as long as a blocking call may wait).
     * Unacknowledged events stay pending and are re-claimed by other instances after the grace period;
     * the consumer is removed later by their stale-consumer cleanup. Idempotent; safe from any thread,
     * including a subscriber's callback, except a stage chained to an {@code ackAsync} future (it may
     * run on a Redis I/O thread, which the wait for the last acknowledgements would block until it
     * times out).
     */
    @Override
    public void close() {
        if (!core.markClosed(this)) {
            return;
        }
        maintenance.close();
        cursors.wakeUp();
        core.close();
        if (!acks.flushAndWait(redis.syncTimeout())) {
            log.atWarn().addKeyValue("sink", name).log("queued acknowledgements not answered in time; they may repeat");
        }
        groups.detachIfIdle(cursors.streams(), reclaimed.size(), state, log);
        state.close();
        redis.unregister(this);
        cursors.streams().forEach(s -> redis.events().sinkLeft(s.name(), name, consumer));
        log.atDebug().addKeyValue("sink", name).addKeyValue("consumer", consumer).log("sink closed");
    }

    /** Whether this instance was closed (its other instances may run on). */
    public boolean isClosed() {
        return core.isClosed();
    }

    private void ensureOpen(String op) {
        core.ensureOpen("sink " + name, op);
    }
}
