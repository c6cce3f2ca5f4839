package io.pulse.streaming;

import io.lettuce.core.XReadArgs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The read positions of one consumer of events (a pull reader or one push loop) over the streams it
 * reads: stream name -> the id of the last entry read (or the id to read after). Thread-safe.
 */
final class Cursors {

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private static final class Entry {
        final Stream stream;
        String lastId;

        Entry(Stream stream, String lastId) {
            this.stream = stream;
            this.lastId = lastId;
        }
    }

    synchronized boolean add(Stream stream, String afterId) {
        if (entries.containsKey(stream.name())) {
            return false;
        }
        entries.put(stream.name(), new Entry(stream, afterId));
        notifyAll();
        return true;
    }

    /**
     * Waits up to {@code timeout} for a stream to read (there is none now), or until {@link #wakeUp()}:
     * a loop left without streams then idles instead of spinning.
     */
    synchronized void awaitStreams(java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (entries.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Ends an {@link #awaitStreams} wait early (a close). */
    synchronized void wakeUp() {
        notifyAll();
    }

    synchronized boolean remove(String streamName) {
        return entries.remove(streamName) != null;
    }

    synchronized boolean contains(String streamName) {
        return entries.containsKey(streamName);
    }

    synchronized boolean isEmpty() {
        return entries.isEmpty();
    }

    synchronized List<Stream> streams() {
        List<Stream> streams = new ArrayList<>(entries.size());
        entries.values().forEach(e -> streams.add(e.stream));
        return streams;
    }

    /** Offsets for XREAD: each stream after its cursor. */
    @SuppressWarnings("unchecked")
    synchronized XReadArgs.StreamOffset<byte[]>[] afterCursors() {
        List<XReadArgs.StreamOffset<byte[]>> offsets = new ArrayList<>(entries.size());
        for (Entry e : entries.values()) {
            offsets.add(XReadArgs.StreamOffset.from(e.stream.key(), e.lastId));
        }
        return offsets.toArray(new XReadArgs.StreamOffset[0]);
    }

    /** Offsets for XREADGROUP: each stream at {@code >} (never delivered to the group). */
    @SuppressWarnings("unchecked")
    synchronized XReadArgs.StreamOffset<byte[]>[] undelivered() {
        List<XReadArgs.StreamOffset<byte[]>> offsets = new ArrayList<>(entries.size());
        for (Entry e : entries.values()) {
            offsets.add(XReadArgs.StreamOffset.lastConsumed(e.stream.key()));
        }
        return offsets.toArray(new XReadArgs.StreamOffset[0]);
    }

    /** Moves the cursor of {@code streamName} to {@code id} (ignored if the stream was removed). */
    synchronized void advance(String streamName, String id) {
        Entry e = entries.get(streamName);
        if (e != null) {
            e.lastId = id;
        }
    }
}
