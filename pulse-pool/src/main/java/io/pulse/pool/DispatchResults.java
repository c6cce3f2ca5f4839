package io.pulse.pool;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Matches dispatch results ({@code d} events on the node stream) with the dispatches waiting for
 * them, by pool event id. A result may arrive before its dispatch registered (the round trip can beat
 * the XADD reply): it is kept for a while and handed over at registration, never lost. Thread-safe.
 */
final class DispatchResults {

    private static final long KEEP_EARLY_NANOS = 120_000_000_000L;

    private final Map<String, CompletableFuture<PoolCodec.Ack>> waiting = new HashMap<>();
    private final Map<String, String> keys = new HashMap<>();
    private final Map<String, Early> early = new HashMap<>();

    private record Early(PoolCodec.Ack ack, long receivedAt) {
    }

    /** Returns the future completed with the result of pool event {@code eventId}, the start of job {@code key}. */
    synchronized CompletableFuture<PoolCodec.Ack> register(String eventId, String key) {
        Early result = early.remove(eventId);
        if (result != null) {
            return CompletableFuture.completedFuture(result.ack());
        }
        keys.put(eventId, key);
        return waiting.computeIfAbsent(eventId, id -> new CompletableFuture<>());
    }

    /** The job keys of the dispatches still waiting, by pool event id. */
    synchronized Map<String, String> waitingKeys() {
        return new HashMap<>(keys);
    }

    /** Hands a result to its dispatch, or keeps it for a dispatch that has not registered yet. */
    void complete(PoolCodec.Ack ack) {
        CompletableFuture<PoolCodec.Ack> target;
        synchronized (this) {
            target = waiting.remove(ack.eventId());
            keys.remove(ack.eventId());
            if (target == null) {
                long now = System.nanoTime();
                early.put(ack.eventId(), new Early(ack, now));
                for (Iterator<Early> it = early.values().iterator(); it.hasNext(); ) {
                    if (now - it.next().receivedAt() > KEEP_EARLY_NANOS) {
                        it.remove();
                    }
                }
            }
        }
        if (target != null) {
            target.complete(ack);
        }
    }

    /** Forgets a dispatch that stopped waiting (timed out or closed). */
    synchronized void forget(String eventId) {
        waiting.remove(eventId);
        keys.remove(eventId);
    }

    /** Fails every waiting dispatch (the node closes). */
    void failAll(RuntimeException cause) {
        Map<String, CompletableFuture<PoolCodec.Ack>> all;
        synchronized (this) {
            all = new HashMap<>(waiting);
            waiting.clear();
            keys.clear();
            early.clear();
        }
        all.values().forEach(f -> f.completeExceptionally(cause));
    }

    synchronized int waitingCount() {
        return waiting.size();
    }
}
