package io.pulse.pool;

import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.core.Subscription;
import io.pulse.core.internal.BoundedDispatcher;
import io.pulse.core.internal.DaemonThreads;
import io.pulse.core.internal.RedisFacade;
import io.pulse.rmap.MapEvent;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.rmap.internal.MapProtocol;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * A thread-safe, pool-wide ticker: every node that opens a ticker of the same name takes part, and each tick is
 * delivered on exactly one of them, the one that advances the shared next-tick time first (a
 * compare-and-set in the pool's tickers map). When that node dies or closes, the next tick simply goes
 * to another participant. Thread-safe.
 *
 * <p>The entry {@code <pool>:<name>} of the map {@code <pool>:tickers} holds
 * {@code <next tick, Unix microseconds>|<interval in Go's duration syntax>}, as in Go Pulse. Ticks
 * missed while no node was there are skipped, not replayed. A node advances the entry a little ahead
 * of a tick (half the interval, at most 250 ms) and delivers the tick it won when it is due, never
 * earlier; a node that closes in between does not deliver it.
 */
public final class Ticker implements AutoCloseable {

    private static final Duration RETRY_CAP = Duration.ofSeconds(1);
    /** The longest a node advances the shared entry ahead of the tick it then delivers when due. */
    private static final Duration MAX_LEAD = Duration.ofMillis(250);

    private final PoolConfig config;
    private final RedisFacade facade;
    private final byte[] tickersKey;
    private final String name;
    private final String entry;
    private final Duration interval;
    /** How long before a tick is due its advance is proposed: a slow Redis answer then delays no tick. */
    private final long leadMicros;
    private final ReplicatedMap tickers;
    private final Logger log;
    private final ExecutorService callbacks;
    private final List<BoundedDispatcher<Instant>> subscribers = new CopyOnWriteArrayList<>();
    private final List<Runnable> remoteStopListeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private final Subscription mapWatch;
    private String current; // guarded by lock
    private long nextMicros; // guarded by lock
    private ScheduledFuture<?> timer; // guarded by lock
    private long armed; // guarded by lock: the generation of the current timer
    private boolean advancing; // guarded by lock: this node's compare-and-set is in flight
    private long highestRevision; // guarded by lock: the highest map revision seen with the entry present
    private boolean recreating; // guarded by lock: writing the entry back after a loss, not seen back yet
    private long lastDeliveryNanos; // guarded by lock: when this node last delivered a tick (System.nanoTime)
    private boolean delivered; // guarded by lock: whether it delivered one yet
    private volatile boolean closed;

    Ticker(PoolConfig config, RedisFacade facade, PoolNames names, ReplicatedMap tickers, String name,
            Duration interval, boolean firstTickNow) {
        this.config = config;
        this.facade = facade;
        this.tickersKey = names.mapContentKey(PoolMap.TICKERS);
        this.name = name;
        this.entry = names.tickerField(name);
        this.interval = interval;
        this.leadMicros = Math.min(interval.dividedBy(2).toNanos(), MAX_LEAD.toNanos()) / 1000;
        this.tickers = tickers;
        this.log = config.log();
        this.callbacks = Executors.newSingleThreadExecutor(DaemonThreads.named("ticker", name));
        this.mapWatch = tickers.subscribe(this::onMapChange);
        String existing = tickers.get(entry).orElse(null);
        Entry parsed = Entry.parse(existing);
        synchronized (lock) {
            if (parsed != null && parsed.interval().equals(interval)) {
                adopt(existing, parsed);
            } else {
                long first = PoolClock.nowMicros() + (firstTickNow ? 0 : interval.toNanos() / 1000);
                String value = Entry.format(first, interval);
                tickers.setAndWait(entry, value);
                adopt(value, Entry.parse(value));
            }
            highestRevision = tickers.revision();
            arm(delayToNext());
        }
    }

    /** The tick time and interval stored in the map. */
    record Entry(long nextMicros, Duration interval) {
        static String format(long nextMicros, Duration interval) {
            return nextMicros + "|" + GoDuration.format(interval);
        }

        static Entry parse(String value) {
            if (value == null) {
                return null;
            }
            int bar = value.indexOf('|');
            if (bar <= 0) {
                return null;
            }
            try {
                return new Entry(Long.parseLong(value.substring(0, bar)), GoDuration.parse(value.substring(bar + 1)));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    /**
     * Calls {@code listener} with the time of each tick this node wins, in order, on the ticker's own
     * thread. Returns the handle that stops delivery.
     */
    public Subscription subscribe(java.util.function.Consumer<Instant> listener) {
        Objects.requireNonNull(listener, "listener");
        BoundedDispatcher<Instant> dispatcher = new BoundedDispatcher<>(callbacks, 1_000, listener, Instant::now);
        subscribers.add(dispatcher);
        return () -> {
            subscribers.remove(dispatcher);
            dispatcher.close();
        };
    }

    /** Runs {@code listener} once if another node stops this ticker for the whole pool. */
    void onRemoteStop(Runnable listener) {
        remoteStopListeners.add(listener);
    }

    // ---- advancing ----

    /**
     * The timer armed as generation {@code generation} fired. A callback whose timer was replaced
     * meanwhile (a map event adopted another node's advance and re-armed) does nothing, and a tick is
     * only proposed once its lead time has come: a stale callback must never build a tick from a newly
     * adopted time, which would deliver it early and make the real one vanish. The advance is proposed
     * a little ahead of the tick (half the interval, at most 250 ms) and the tick, if won, delivered
     * when due, so that the Redis round trip of the compare-and-set does not make ticks late.
     */
    private void fire(long generation) {
        String expected;
        String proposed;
        long tickMicros;
        synchronized (lock) {
            if (closed || generation != armed) {
                return;
            }
            long now = PoolClock.nowMicros();
            if (now < nextMicros - leadMicros) {
                arm(delayToNext());
                return;
            }
            long step = Math.max(1, interval.toNanos() / 1000);
            long t = nextMicros + step;
            while (t <= now) {
                t += step; // missed ticks are skipped, not replayed
            }
            expected = current;
            tickMicros = nextMicros;
            proposed = Entry.format(t, interval);
            advancing = true;
        }
        tickers.testAndSetAsync(entry, expected, proposed).whenComplete((previous, error) -> {
            if (error == null && previous == null) {
                entryMissing();
                return;
            }
            boolean won = false;
            synchronized (lock) {
                advancing = false;
                if (closed) {
                    return;
                }
                if (error != null) {
                    log.atWarn().addKeyValue("ticker", entry).setCause(error).log("advancing the ticker failed; retrying");
                    arm(interval.compareTo(RETRY_CAP) < 0 ? interval : RETRY_CAP);
                    return;
                }
                if (!previous.equals(expected)) {
                    adopt(previous, Entry.parse(previous)); // another node advanced first
                } else {
                    adopt(proposed, Entry.parse(proposed));
                    won = true;
                }
                arm(delayToNext());
            }
            if (won) {
                deliverWhenDue(tickMicros);
            }
        });
    }

    /**
     * Delivers the tick won for {@code tickMicros} once it is due, and at least half an interval after
     * the tick this node delivered before: after a stall made one tick late, the next one is not
     * delivered right on its heels.
     */
    private void deliverWhenDue(long tickMicros) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            long untilDue = Math.max(0, tickMicros - PoolClock.nowMicros()) * 1000;
            long untilPaced = delivered ? lastDeliveryNanos + interval.toNanos() / 2 - System.nanoTime() : 0;
            long delay = Math.max(untilDue, untilPaced);
            if (delay > 0) {
                try {
                    facade.scheduler().schedule(() -> deliverWhenDue(tickMicros), delay, TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    closed = true;
                }
                return;
            }
            delivered = true;
            lastDeliveryNanos = System.nanoTime();
        }
        Instant tick = PoolClock.fromMicros(tickMicros);
        log.atDebug().addKeyValue("ticker", entry).addKeyValue("node", config.nodeId()).log("tick");
        subscribers.forEach(s -> s.offer(tick));
    }

    private void onMapChange(MapEvent event) {
        String value = tickers.get(entry).orElse(null);
        synchronized (lock) {
            if (closed || current == null) {
                return;
            }
            if (value == null) {
                if (recreating) {
                    return; // the entry written back has not shown yet
                }
                if (event.kind() == MapEvent.Kind.RESYNC && event.revision() < highestRevision) {
                    recreate(); // the map's revision went back: Redis lost it, nobody stopped the ticker
                } else if ((event.kind() == MapEvent.Kind.DELETE && entry.equals(event.key()))
                        || event.kind() == MapEvent.Kind.RESYNC || event.kind() == MapEvent.Kind.RESET) {
                    stoppedRemotely();
                }
                return;
            }
            // after a loss the map's revisions start over: the entry seen back begins the new count
            highestRevision = recreating ? event.revision() : Math.max(highestRevision, event.revision());
            recreating = false;
            if (value.equals(current) || advancing) {
                // while this node's own advance is in flight its outcome decides what to adopt
                return;
            }
            Entry parsed = Entry.parse(value);
            if (parsed == null) {
                log.atWarn().addKeyValue("ticker", entry).addKeyValue("value", value).log("unreadable ticker entry ignored");
                return;
            }
            adopt(value, parsed);
            arm(delayToNext());
        }
    }

    /**
     * The entry was gone when this node tried to advance it: stopped by another node (its delete left
     * the map's revision at least where this node saw it), or lost by Redis (the revision went back).
     */
    private void entryMissing() {
        facade.execute("ticker " + entry + ": read revision",
                c -> c.hget(tickersKey, bytes(MapProtocol.REVISION_FIELD)))
                .whenComplete((rev, error) -> {
                    synchronized (lock) {
                        advancing = false;
                        if (closed) {
                            return;
                        }
                        if (error != null) {
                            arm(interval.compareTo(RETRY_CAP) < 0 ? interval : RETRY_CAP);
                        } else if (recreating || parseRevision(rev) < highestRevision) {
                            recreate();
                        } else {
                            stoppedRemotely();
                        }
                    }
                });
    }

    /** Under lock: writes the entry back after Redis lost it, keeping this node's next tick time. */
    private void recreate() {
        log.atWarn().addKeyValue("ticker", entry).log("Redis lost the ticker's entry; writing it again");
        recreating = true;
        String value = current;
        tickers.setIfAbsentAsync(entry, value).whenComplete((written, error) -> {
            synchronized (lock) {
                if (!closed) {
                    arm(error != null ? (interval.compareTo(RETRY_CAP) < 0 ? interval : RETRY_CAP) : delayToNext());
                }
            }
        });
    }

    private static long parseRevision(byte[] rev) {
        try {
            return rev == null ? 0 : Long.parseLong(new String(rev, StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Under lock. */
    private void stoppedRemotely() {
        log.atInfo().addKeyValue("ticker", entry).log("ticker stopped by another node");
        closeLocally();
        if (!remoteStopListeners.isEmpty()) {
            // not under the lock: a listener may close things that wait for this ticker
            Thread t = DaemonThreads.named("ticker-stop", name).newThread(() -> remoteStopListeners.forEach(Runnable::run));
            t.start();
        }
    }

    private void adopt(String value, Entry parsed) {
        if (parsed == null) {
            return;
        }
        current = value;
        nextMicros = parsed.nextMicros();
    }

    /** How long until the advance of the next tick is due to be proposed (its lead time before it). */
    private Duration delayToNext() {
        long delay = nextMicros - leadMicros - PoolClock.nowMicros();
        return Duration.ofNanos(Math.max(0, delay) * 1000);
    }

    /** Under lock: replaces the timer; a callback of an earlier one that already runs sees it is stale. */
    private void arm(Duration delay) {
        if (timer != null) {
            timer.cancel(false);
        }
        long generation = ++armed;
        try {
            timer = facade.scheduler().schedule(() -> fire(generation), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            closed = true;
        }
    }

    // ---- lifecycle ----

    /** The ticker's name. */
    public String name() {
        return name;
    }

    /** The interval between ticks. */
    public Duration interval() {
        return interval;
    }

    /** Stops this ticker on every node: the shared entry is deleted. */
    public void stop() {
        close();
        tickers.delete(entry);
    }

    /** Stops taking part on this node only; the other nodes keep ticking. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            closeLocally();
        }
    }

    private void closeLocally() {
        if (closed) {
            return;
        }
        closed = true;
        if (timer != null) {
            timer.cancel(false);
        }
        mapWatch.close();
        subscribers.forEach(BoundedDispatcher::close);
        callbacks.shutdown();
    }

    /** Whether the ticker stopped (closed here, or stopped by another node). */
    public boolean isClosed() {
        return closed;
    }
}
