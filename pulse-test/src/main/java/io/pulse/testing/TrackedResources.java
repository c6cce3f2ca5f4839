package io.pulse.testing;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * What a test extension closes after its class, in reverse order of tracking; a failure to close one
 * is logged and does not keep the others open. Thread-safe.
 */
final class TrackedResources {

    private final List<AutoCloseable> resources = new ArrayList<>();

    /** Closes {@code resource} with the others; returns it. */
    synchronized <T extends AutoCloseable> T add(T resource) {
        resources.add(resource);
        return resource;
    }

    /** Closes everything tracked so far, newest first, and forgets it. */
    void closeAll(Logger log) {
        List<AutoCloseable> all;
        synchronized (this) {
            all = new ArrayList<>(resources);
            resources.clear();
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                all.get(i).close();
            } catch (Exception e) {
                log.warn("closing a test resource failed", e);
            }
        }
    }
}
