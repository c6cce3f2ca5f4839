package io.pulse.admin.web;

import io.pulse.admin.AdminJson;
import io.pulse.admin.Catalog;
import io.pulse.admin.PoolReport;
import io.pulse.admin.PulseAdmin;
import io.pulse.admin.StreamReport;
import io.pulse.admin.Summaries;
import io.pulse.core.internal.DaemonThreads;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the whole overview from Redis once per period on a thread of its own, whatever the number of
 * browsers watching, and keeps the last one (as JSON) with the history of lags and backlogs. Browsers
 * only ever get the cached JSON, so they add no Redis load. The keyspace is walked for new pools,
 * streams and maps only every {@link #REDISCOVER_EVERY}, since on a large Redis that walk is the
 * expensive part; known names are read every period. Thread-safe.
 */
final class Sampler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Sampler.class);
    static final Duration REDISCOVER_EVERY = Duration.ofSeconds(30);

    private final PulseAdmin admin;
    private final Duration period;
    private final int historySize;
    private final ScheduledExecutorService thread;
    private final Map<String, Deque<long[]>> history = new TreeMap<>();
    private String json = null;
    private Catalog catalog;
    private long catalogAt;
    private volatile boolean closed;
    private long version;

    Sampler(PulseAdmin admin, Duration period, Duration historyLength) {
        this.admin = admin;
        this.period = period;
        this.historySize = (int) Math.max(2, historyLength.toMillis() / Math.max(1, period.toMillis()));
        this.thread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("dashboard", "sampler"));
    }

    void start() {
        thread.scheduleWithFixedDelay(this::sample, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Samples again now (after an action), without waiting for the period. */
    void refreshNow() {
        thread.execute(this::sample);
    }

    /** The latest overview as JSON, waiting at most {@code wait} for one newer than {@code seen}. */
    synchronized Snapshot next(long seen, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (version <= seen || json == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return new Snapshot(version, json);
    }

    /** One published overview and its sequence number. */
    record Snapshot(long version, String json) {
    }

    private void sample() {
        String next;
        try {
            next = AdminJson.write(read());
        } catch (RuntimeException e) {
            if (closed) {
                return;
            }
            LOG.atWarn().setCause(e).log("reading the overview from Redis failed; the dashboard keeps the last one");
            next = AdminJson.write(new Overview(admin.now(), admin.workerTtl().toMillis(), List.of(), List.of(),
                    List.of(), copyHistory(), false, String.valueOf(e.getMessage())));
        }
        synchronized (this) {
            json = next;
            version++;
            notifyAll();
        }
    }

    private Overview read() {
        if (catalog == null || System.nanoTime() - catalogAt > REDISCOVER_EVERY.toNanos()) {
            catalog = admin.catalog();
            catalogAt = System.nanoTime();
        }
        List<PoolReport> pools = new ArrayList<>();
        List<StreamReport> streams = new ArrayList<>();
        List<Summaries.Map> maps = new ArrayList<>();
        long now = admin.now().toEpochMilli();
        Map<String, Long> values = new LinkedHashMap<>();
        for (String name : catalog.pools()) {
            admin.pool(name).ifPresent(p -> {
                pools.add(p);
                values.put("pool " + p.name(), p.backlog().total());
            });
        }
        for (String name : catalog.streams()) {
            admin.stream(name).ifPresent(s -> {
                streams.add(s);
                s.sinks().forEach(sink -> values.put("sink " + s.name() + "/" + sink.name(), sink.lag()));
            });
        }
        for (String name : catalog.maps()) {
            admin.map(name, 0).ifPresent(m -> maps.add(new Summaries.Map(m.name(), m.size(), m.revision(),
                    m.lastKind(), m.ttl())));
        }
        synchronized (history) {
            history.keySet().retainAll(values.keySet());
            values.forEach((series, value) -> {
                Deque<long[]> samples = history.computeIfAbsent(series, k -> new ArrayDeque<>());
                samples.addLast(new long[] {now, value});
                while (samples.size() > historySize) {
                    samples.removeFirst();
                }
            });
        }
        return new Overview(admin.now(), admin.workerTtl().toMillis(), pools, streams, maps, copyHistory(),
                catalog.complete(), null);
    }

    private Map<String, List<long[]>> copyHistory() {
        synchronized (history) {
            Map<String, List<long[]>> out = new TreeMap<>();
            history.forEach((k, v) -> out.put(k, new ArrayList<>(v)));
            return out;
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
    }
}
