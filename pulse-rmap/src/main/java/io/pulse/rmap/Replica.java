package io.pulse.rmap;

import io.pulse.core.ClosedException;
import io.pulse.core.PulseException;
import io.pulse.core.internal.Backoff;
import io.pulse.core.internal.BoundedDispatcher;
import io.pulse.core.internal.ChannelListener;
import io.pulse.core.internal.RedisFacade;
import io.pulse.rmap.internal.MapProtocol;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * The local copy of one map and the state machine that keeps it equal to Redis: it applies the
 * changes published on the map's channel in revision order, and re-reads the whole hash (a "resync")
 * whenever it may have missed one — after the subscriber connection was lost, when a revision is
 * skipped (a lost message), when a revision goes back (the hash expired or Redis lost its data), or
 * when its buffer overflowed. Thread-safe: reads are lock-free; changes are applied under one lock on
 * the thread that delivers them (a Redis I/O thread), which never runs user code.
 */
final class Replica implements ChannelListener {

    /** Messages kept while a snapshot is being read; beyond this the replica simply reads again. */
    private static final int MAX_BUFFERED = 100_000;

    private final String name;
    private final RedisFacade redis;
    private final Logger log;
    private final byte[] contentKey;
    private final Object lock = new Object();
    private final Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(5));

    private volatile Map<String, String> content = new ConcurrentHashMap<>();
    private volatile long revision;
    /** Counts every change of the local content (changes applied, snapshots read); written under lock. */
    private volatile long changes;

    // guarded by lock
    private boolean syncing = true;
    private boolean resyncAgain;
    private boolean announceResync;
    private boolean bufferOverflowed;
    private long fetchesStarted;
    private final ArrayDeque<MapMessage> buffered = new ArrayDeque<>();
    private final TreeMap<Long, List<CompletableFuture<Void>>> revisionWaiters = new TreeMap<>();
    /** Waiters released by the next snapshot read after they registered: waiter -> {fetch number, revision}. */
    private final Map<CompletableFuture<Void>, long[]> snapshotWaiters = new HashMap<>();
    private final List<BoundedDispatcher<MapEvent>> listeners = new ArrayList<>();
    private boolean closed;
    private long resyncs;

    private final CompletableFuture<Void> firstSnapshot = new CompletableFuture<>();

    Replica(String name, RedisFacade redis, Logger log) {
        this.name = name;
        this.redis = redis;
        this.log = log;
        this.contentKey = redis.layout().mapContentKey(name).getBytes(StandardCharsets.UTF_8);
    }

    // ---- reads (lock-free) ----

    String get(String key) {
        return content.get(key);
    }

    Map<String, String> content() {
        return content;
    }

    long revision() {
        return revision;
    }

    /**
     * How many times the local content changed (each applied change and each snapshot read counts),
     * read after the change is visible: a reader that reads this, then the content, and sees the same
     * count again later, saw the content as it still is.
     */
    long changes() {
        return changes;
    }

    /** Number of resyncs after the first snapshot (for tests and metrics). */
    long resyncCount() {
        synchronized (lock) {
            return resyncs;
        }
    }

    // ---- joining ----

    /** Reads the first snapshot; the channel must already be subscribed. */
    CompletableFuture<Void> loadFirstSnapshot() {
        synchronized (lock) {
            fetchesStarted++;
        }
        fetch(fetchesStarted);
        return firstSnapshot;
    }

    // ---- messages from the channel (Redis I/O thread) ----

    @Override
    public void onMessage(byte[] payload) {
        MapMessage message;
        try {
            message = MapMessage.decode(payload);
        } catch (MapMessage.MalformedException e) {
            log.atWarn().addKeyValue("map", name).addKeyValue("reason", e.getMessage())
                    .addKeyValue("payload", preview(payload)).log("ignored a malformed update message");
            return;
        }
        List<CompletableFuture<Void>> released;
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (syncing) {
                if (buffered.size() >= MAX_BUFFERED) {
                    buffered.clear();
                    bufferOverflowed = true;
                } else {
                    buffered.add(message);
                }
                return;
            }
            applyLive(message);
            released = releaseRevisionWaiters();
        }
        complete(released);
    }

    @Override
    public void onResubscribed() {
        synchronized (lock) {
            startResync("the subscriber connection was lost", true);
        }
    }

    /** Applies one message in order; on a gap or a regression starts a resync instead. Under lock. */
    private void applyLive(MapMessage message) {
        if (message.key() != null && MapProtocol.isReservedField(message.key())) {
            return;
        }
        long r = message.revision();
        if (r <= revision) {
            startResync("revision went back from " + revision + " to " + r
                    + " (the hash expired or Redis lost its data)", true);
            return;
        }
        if (r > revision + 1) {
            startResync("missed revisions " + (revision + 1) + " to " + (r - 1), true);
            return;
        }
        MapEvent event;
        switch (message.op()) {
            case SET:
                content.put(message.key(), message.value());
                event = new MapEvent(MapEvent.Kind.CHANGE, message.key(), r);
                log.atTrace().addKeyValue("map", name).addKeyValue("key", message.key()).addKeyValue("rev", r).log("set");
                break;
            case DEL:
                content.remove(message.key());
                event = new MapEvent(MapEvent.Kind.DELETE, message.key(), r);
                log.atTrace().addKeyValue("map", name).addKeyValue("key", message.key()).addKeyValue("rev", r).log("deleted");
                break;
            default:
                content = new ConcurrentHashMap<>();
                event = new MapEvent(MapEvent.Kind.RESET, null, r);
                log.atDebug().addKeyValue("map", name).addKeyValue("rev", r).log("reset");
                break;
        }
        revision = r;
        changes++;
        emit(event);
    }

    // ---- resync ----

    /** Starts re-reading the hash unless one is under way (then another follows it). Under lock. */
    private void startResync(String reason, boolean announce) {
        if (closed) {
            return;
        }
        announceResync |= announce;
        if (syncing) {
            resyncAgain = true;
            return;
        }
        log.atInfo().addKeyValue("map", name).addKeyValue("reason", reason).log("resyncing from Redis");
        if (announce) {
            redis.events().mapResynced(name, reason);
        }
        syncing = true;
        buffered.clear();
        long seq = ++fetchesStarted;
        try {
            // never call Redis while holding the lock: its callback may run on this very thread
            redis.scheduler().execute(() -> fetch(seq));
        } catch (RejectedExecutionException e) {
            // the facade is closing; so are we
        }
    }

    private void fetch(long seq) {
        redis.execute("read map " + name, c -> c.hgetall(contentKey))
                .whenComplete((snapshot, error) -> onSnapshot(seq, snapshot, error));
    }

    private void onSnapshot(long seq, Map<byte[], byte[]> snapshot, Throwable error) {
        List<CompletableFuture<Void>> released;
        boolean first = !firstSnapshot.isDone();
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (error != null) {
                if (first) {
                    firstSnapshot.completeExceptionally(error);
                    return;
                }
                Duration delay = backoff.next();
                log.atWarn().addKeyValue("map", name).addKeyValue("retryIn", delay).setCause(error)
                        .log("resync failed; the replica keeps serving its last state");
                try {
                    redis.scheduler().schedule(() -> fetch(seq), delay.toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    // closing
                }
                return;
            }
            backoff.reset();
            Map<String, String> fresh = new ConcurrentHashMap<>();
            long snapshotRevision = 0;
            for (Map.Entry<byte[], byte[]> e : snapshot.entrySet()) {
                String field = new String(e.getKey(), StandardCharsets.UTF_8);
                if (MapProtocol.REVISION_FIELD.equals(field)) {
                    snapshotRevision = parseRevision(e.getValue());
                } else if (!MapProtocol.KIND_FIELD.equals(field)) {
                    fresh.put(field, new String(e.getValue(), StandardCharsets.UTF_8));
                }
            }
            boolean changed = snapshotRevision != revision || !fresh.equals(content);
            content = fresh;
            revision = snapshotRevision;
            changes++;
            syncing = false;
            if (!first) {
                resyncs++;
                if (announceResync || changed) {
                    emit(new MapEvent(MapEvent.Kind.RESYNC, null, snapshotRevision));
                }
            }
            announceResync = false;
            // changes published after the snapshot was read
            while (!syncing && !buffered.isEmpty()) {
                MapMessage message = buffered.poll();
                if (message.revision() > revision) {
                    applyLive(message);
                }
            }
            buffered.clear();
            if (!syncing && (bufferOverflowed || resyncAgain)) {
                bufferOverflowed = false;
                resyncAgain = false;
                startResync("changes arrived while the last snapshot was read", true);
            }
            released = releaseRevisionWaiters();
            released.addAll(releaseSnapshotWaiters(seq));
            if (first) {
                log.atDebug().addKeyValue("map", name).addKeyValue("rev", revision)
                        .addKeyValue("keys", fresh.size()).log("joined");
            }
        }
        if (first) {
            firstSnapshot.complete(null);
        }
        complete(released);
    }

    private long parseRevision(byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        try {
            return Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            log.atWarn().addKeyValue("map", name).addKeyValue("rev", text).log("unreadable revision in Redis; using 0");
            return 0;
        }
    }

    // ---- waiting for a write (setAndWait) ----

    /**
     * Completes once the replica shows the write of {@code key} = {@code value} that produced revision
     * {@code rev}, or any later state.
     */
    CompletableFuture<Void> awaitWrite(long rev, String key, String value) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (lock) {
            if (closed) {
                done.completeExceptionally(new ClosedException("map " + name + " is closed"));
                return done;
            }
            if (revision >= rev) {
                if (Objects.equals(content.get(key), value)) {
                    done.complete(null);
                    return done;
                }
                // the replica claims a later revision yet lacks the write: either a later write
                // overwrote it or the counter went back; a fresh snapshot settles it
                awaitSnapshotLocked(done, rev, "a write is not visible at its revision");
                return done;
            }
            revisionWaiters.computeIfAbsent(rev, r -> new ArrayList<>(1)).add(done);
        }
        return done;
    }

    /**
     * Makes {@code waiter} (for revision {@code rev}) complete after the next snapshot read from now
     * on, if that snapshot reached {@code rev}, and asks for one.
     */
    void awaitSnapshot(CompletableFuture<Void> waiter, long rev, String reason) {
        synchronized (lock) {
            if (closed || waiter.isDone()) {
                return;
            }
            awaitSnapshotLocked(waiter, rev, reason);
        }
    }

    private void awaitSnapshotLocked(CompletableFuture<Void> waiter, long rev, String reason) {
        snapshotWaiters.put(waiter, new long[] {fetchesStarted + 1, rev});
        boolean wasSyncing = syncing;
        startResync(reason, false);
        if (wasSyncing) {
            resyncAgain = true;
        }
    }

    /** Forgets a waiter that gave up. */
    void cancelWait(CompletableFuture<Void> waiter) {
        synchronized (lock) {
            snapshotWaiters.remove(waiter);
            for (Iterator<List<CompletableFuture<Void>>> it = revisionWaiters.values().iterator(); it.hasNext(); ) {
                List<CompletableFuture<Void>> list = it.next();
                if (list.remove(waiter) && list.isEmpty()) {
                    it.remove();
                }
            }
        }
    }

    private List<CompletableFuture<Void>> releaseRevisionWaiters() {
        if (revisionWaiters.isEmpty() || revisionWaiters.firstKey() > revision) {
            return new ArrayList<>(0);
        }
        List<CompletableFuture<Void>> released = new ArrayList<>();
        Map<Long, List<CompletableFuture<Void>>> head = revisionWaiters.headMap(revision, true);
        head.values().forEach(released::addAll);
        head.clear();
        return released;
    }

    private List<CompletableFuture<Void>> releaseSnapshotWaiters(long seq) {
        List<CompletableFuture<Void>> released = new ArrayList<>();
        snapshotWaiters.entrySet().removeIf(e -> {
            if (e.getValue()[0] > seq) {
                return false;
            }
            long rev = e.getValue()[1];
            if (revision >= rev) {
                released.add(e.getKey());
            } else {
                // Redis itself has not reached that revision (yet): wait for it the usual way
                revisionWaiters.computeIfAbsent(rev, r -> new ArrayList<>(1)).add(e.getKey());
            }
            return true;
        });
        return released;
    }

    private static void complete(List<CompletableFuture<Void>> waiters) {
        for (CompletableFuture<Void> waiter : waiters) {
            waiter.complete(null);
        }
    }

    // ---- listeners ----

    void addListener(BoundedDispatcher<MapEvent> listener) {
        synchronized (lock) {
            if (closed) {
                throw new ClosedException("map " + name + " is closed");
            }
            listeners.add(listener);
        }
    }

    void removeListener(BoundedDispatcher<MapEvent> listener) {
        synchronized (lock) {
            listeners.remove(listener);
        }
        listener.close();
    }

    private void emit(MapEvent event) {
        for (BoundedDispatcher<MapEvent> listener : listeners) {
            listener.offer(event);
        }
    }

    // ---- closing ----

    /** Stops applying changes, fails every waiter and stops every listener. Idempotent. */
    void close() {
        List<CompletableFuture<Void>> waiters = new ArrayList<>();
        List<BoundedDispatcher<MapEvent>> stopped;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            revisionWaiters.values().forEach(waiters::addAll);
            revisionWaiters.clear();
            waiters.addAll(snapshotWaiters.keySet());
            snapshotWaiters.clear();
            stopped = new ArrayList<>(listeners);
            listeners.clear();
            buffered.clear();
        }
        firstSnapshot.completeExceptionally(new ClosedException("map " + name + " is closed"));
        for (CompletableFuture<Void> waiter : waiters) {
            waiter.completeExceptionally(new ClosedException("map " + name + " is closed"));
        }
        stopped.forEach(BoundedDispatcher::close);
    }

    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** A copy of the content, consistent with itself (taken under the lock). */
    Map<String, String> snapshot() {
        synchronized (lock) {
            return Collections.unmodifiableMap(new HashMap<>(content));
        }
    }

    static PulseException notVisible(String name, long rev, Duration timeout) {
        return new PulseException("map " + name + ": revision " + rev + " did not reach the local replica within "
                + timeout);
    }

    private static String preview(byte[] payload) {
        int n = Math.min(payload.length, 64);
        StringBuilder sb = new StringBuilder(n * 2 + 8);
        for (int i = 0; i < n; i++) {
            byte b = payload[i];
            if (b >= 0x20 && b < 0x7F) {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b & 0xFF));
            }
        }
        if (payload.length > n) {
            sb.append("...(").append(payload.length).append(" bytes)");
        }
        return sb.toString();
    }
}
