package io.pulse.core.internal;

import io.pulse.core.PulseEventListener;

/**
 * What a component registered with a {@link RedisFacade} tells a listener added late, so that it
 * knows what a listener present from the start would have seen: that the component joined (a map, a
 * sink instance on its streams, a pool node and its workers). Called by {@link RedisFacade#announceTo}
 * while the component is registered.
 */
@FunctionalInterface
public interface Announcing {

    /** Reports the component's joined events to {@code listener}. */
    void announce(PulseEventListener listener);
}
