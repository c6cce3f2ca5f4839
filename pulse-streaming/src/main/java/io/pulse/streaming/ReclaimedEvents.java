package io.pulse.streaming;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Events a sink instance's maintenance re-claimed for it, kept in arrival order, each once, until a
 * read takes them. Thread-safe.
 */
final class ReclaimedEvents {

    private final LinkedHashMap<String, Event> events = new LinkedHashMap<>(); // guarded by this

    synchronized void add(List<Event> reclaimed) {
        for (Event e : reclaimed) {
            events.put(e.streamName() + "\u0000" + e.id(), e);
        }
    }

    /** Takes at most {@code count} events, the oldest first. */
    synchronized List<Event> take(int count) {
        if (events.isEmpty()) {
            return List.of();
        }
        List<Event> taken = new ArrayList<>(Math.min(count, events.size()));
        Iterator<Event> it = events.values().iterator();
        while (it.hasNext() && taken.size() < count) {
            taken.add(it.next());
            it.remove();
        }
        return taken;
    }

    synchronized int size() {
        return events.size();
    }
}
