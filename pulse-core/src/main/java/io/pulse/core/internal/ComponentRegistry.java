package io.pulse.core.internal;

import io.pulse.core.ClosedException;
import io.pulse.core.PulseEventListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * The components open on one facade: closed with it, newest first, and announced to event listeners
 * added after they joined. Thread-safe.
 */
final class ComponentRegistry {

    private final Deque<AutoCloseable> resources = new ArrayDeque<>(); // guarded by this
    private final Map<AutoCloseable, Announcing> announcers = new IdentityHashMap<>(); // guarded by this
    private volatile boolean closing;

    /** @throws ClosedException if {@link #closeAll} started */
    synchronized void register(AutoCloseable resource) {
        if (closing) {
            throw new ClosedException("the Redis facade is closed");
        }
        resources.push(resource);
    }

    /** As {@link #register(AutoCloseable)}, with what the component tells listeners added later. */
    synchronized void register(AutoCloseable resource, Announcing announcing) {
        register(resource);
        announcers.put(resource, Objects.requireNonNull(announcing, "announcing"));
    }

    synchronized void unregister(AutoCloseable resource) {
        resources.remove(resource);
        announcers.remove(resource);
    }

    /** Lets each open {@link Announcing} component tell {@code listener} it joined, oldest first. */
    void announceTo(PulseEventListener listener) {
        List<Announcing> open = new ArrayList<>();
        synchronized (this) {
            // oldest first, as a listener present from the start saw them
            resources.descendingIterator().forEachRemaining(r -> {
                Announcing a = announcers.get(r);
                if (a != null) {
                    open.add(a);
                }
            });
        }
        open.forEach(a -> a.announce(listener));
    }

    boolean isClosing() {
        return closing;
    }

    /**
     * Closes every registered component, newest first, logging failures; returns false if another
     * call already did. Components registering afterwards are refused.
     */
    boolean closeAll(Logger log) {
        List<AutoCloseable> toClose;
        synchronized (this) {
            if (closing) {
                return false;
            }
            closing = true;
            toClose = new ArrayList<>(resources);
            resources.clear();
            announcers.clear();
        }
        for (AutoCloseable resource : toClose) {
            try {
                resource.close();
            } catch (Exception e) {
                log.atWarn().setCause(e).log("closing a component failed");
            }
        }
        return true;
    }
}
