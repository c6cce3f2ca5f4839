package io.pulse.streaming;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable event read from a stream by a {@link Reader} or a {@link Sink}; no accessor returns
 * null (the payload array is not copied: do not change it).
 */
public final class Event {

    private final String id;
    private final String streamName;
    private final String sinkName;
    private final String eventName;
    private final String topic;
    private final byte[] payload;
    private final Map<String, String> traceContext;

    Event(String id, String streamName, String sinkName, String eventName, String topic, byte[] payload) {
        this(id, streamName, sinkName, eventName, topic, payload, Map.of());
    }

    Event(String id, String streamName, String sinkName, String eventName, String topic, byte[] payload,
            Map<String, String> traceContext) {
        this.traceContext = traceContext.isEmpty() ? Map.of() : Collections.unmodifiableMap(traceContext);
        this.id = id;
        this.streamName = streamName;
        this.sinkName = sinkName;
        this.eventName = eventName;
        this.topic = topic;
        this.payload = payload;
    }

    /**
     * An event as a reader would deliver it, made without Redis, for unit tests of handlers: its id is
     * {@code <now in Unix ms>-0}, it has no topic and no sink. Acknowledging it with a real sink fails.
     *
     * @throws NullPointerException if an argument is null
     */
    public static Event of(String streamName, String eventName, byte[] payload) {
        return of(System.currentTimeMillis() + "-0", streamName, "", eventName, "", payload);
    }

    /**
     * An event with every field given, made without Redis, for unit tests of handlers.
     *
     * @param id a stream entry id, {@code <unix ms>-<sequence>}
     * @param sinkName the sink that read it, or {@code ""} for a reader
     * @param topic its topic, or {@code ""} for none
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code id} is not a stream entry id
     */
    public static Event of(String id, String streamName, String sinkName, String eventName, String topic,
            byte[] payload) {
        Objects.requireNonNull(id, "id");
        if (!StreamIds.isValid(id)) {
            throw new IllegalArgumentException("not a stream entry id: \"" + id + "\"");
        }
        return new Event(id, Objects.requireNonNull(streamName, "streamName"),
                Objects.requireNonNull(sinkName, "sinkName"), Objects.requireNonNull(eventName, "eventName"),
                Objects.requireNonNull(topic, "topic"), Objects.requireNonNull(payload, "payload"));
    }

    /** The Redis entry id, {@code <unix ms>-<sequence>}. */
    public String id() {
        return id;
    }

    /** The name of the stream the event was read from. */
    public String streamName() {
        return streamName;
    }

    /** The sink that read the event, or {@code ""} for a reader. */
    public String sinkName() {
        return sinkName;
    }

    /** The event's name. */
    public String eventName() {
        return eventName;
    }

    /** The event's topic, or {@code ""} if it has none. */
    public String topic() {
        return topic;
    }

    /** The payload bytes. */
    public byte[] payload() {
        return payload;
    }

    /**
     * The trace context its producer carried (for example W3C {@code traceparent} and
     * {@code tracestate}, as {@link io.pulse.core.TracePropagation#capture()} gave them), or an empty
     * map; unmodifiable. Push subscriptions run their handler inside it by themselves; after a pull
     * read, continue it with the tracing library's own propagation.
     */
    public Map<String, String> traceContext() {
        return traceContext;
    }

    /** The payload decoded from JSON into {@code type} with the default {@link JsonCodec}. */
    public <T> T payloadAs(Class<T> type) {
        return JsonCodec.DEFAULT.decode(payload, type);
    }

    /** When Redis added the event: the millisecond part of its id, in UTC. */
    public Instant createdAt() {
        return Instant.ofEpochMilli(StreamIds.millis(id));
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Event)) {
            return false;
        }
        Event e = (Event) o;
        return id.equals(e.id) && streamName.equals(e.streamName) && sinkName.equals(e.sinkName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, streamName, sinkName);
    }

    @Override
    public String toString() {
        return "Event[" + streamName + " " + id + " " + eventName + (topic.isEmpty() ? "" : " topic=" + topic)
                + (sinkName.isEmpty() ? "" : " sink=" + sinkName) + ", " + payload.length + " bytes]";
    }
}
