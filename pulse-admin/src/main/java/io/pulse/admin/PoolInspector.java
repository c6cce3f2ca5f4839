package io.pulse.admin;

import io.lettuce.core.StreamMessage;
import io.lettuce.core.models.stream.PendingMessage;
import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.core.KeyLayout;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads one pool from its maps and streams. The pool maps are read whole ({@code HGETALL}): their size
 * is bounded by the pool's nodes, workers and dispatches in flight; job payloads are never read, only
 * their sizes ({@code HSTRLEN}), and unowned payloads are looked for with bounded {@code HSCAN} pages.
 */
final class PoolInspector {

    private final RedisQueries redis;
    private final AdminNames names;
    private final Inspection settings;

    PoolInspector(RedisQueries redis, Inspection settings) {
        this.redis = redis;
        this.names = redis.names();
        this.settings = settings;
    }

    /** Whether any of the keys that only a pool has exists. */
    boolean exists(String pool) {
        for (PoolMap marker : AdminNames.POOL_MARKERS) {
            if (redis.exists(names.poolMapKey(pool, marker))) {
                return true;
            }
        }
        return redis.exists(names.poolStreamKey(pool));
    }

    Optional<PoolReport> inspect(String pool) {
        if (!exists(pool)) {
            return Optional.empty();
        }
        Instant now = settings.now();
        boolean shuttingDown = !userEntries(pool, PoolMap.SHUTDOWN).isEmpty();
        List<PoolReport.NodeRow> nodes = nodes(pool, now);
        Map<String, List<String>> lists = jobLists(pool);
        List<PoolReport.WorkerRow> workers = workers(pool, now, lists);
        JobListing jobs = jobs(pool, lists);
        List<PoolReport.DispatchRow> pending = new ArrayList<>();
        userEntries(pool, PoolMap.PENDING_JOBS).forEach((key, value) -> {
            Instant deadline = WireFormat.parseNanos(value);
            pending.add(new PoolReport.DispatchRow(key, deadline, deadline == null || deadline.isBefore(now)));
        });
        return Optional.of(new PoolReport(pool, shuttingDown, nodes, workers, jobs.rows(), jobs.count(), pending,
                backlog(pool, now), tickers(pool)));
    }

    /** A pool map's user entries, sorted by key (the revision and kind fields left out). */
    Map<String, String> userEntries(String pool, PoolMap map) {
        Map<String, String> out = new TreeMap<>();
        redis.hgetall(names.poolMapKey(pool, map)).forEach((k, v) -> {
            if (!k.startsWith("=")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Each worker's job list, by worker id. */
    Map<String, List<String>> jobLists(String pool) {
        Map<String, List<String>> lists = new TreeMap<>();
        userEntries(pool, PoolMap.JOBS).forEach((worker, list) -> lists.put(worker, WireFormat.parseList(list)));
        return lists;
    }

    private List<PoolReport.NodeRow> nodes(String pool, Instant now) {
        List<PoolReport.NodeRow> rows = new ArrayList<>();
        Map<String, String> ttls = userEntries(pool, PoolMap.KEEPALIVE_TTL);
        userEntries(pool, PoolMap.NODE_KEEPALIVE).forEach((id, value) -> {
            Instant keepAlive = WireFormat.parseNanos(value);
            Duration age = Clocks.age(now, keepAlive);
            rows.add(new PoolReport.NodeRow(id, keepAlive, age, Inspection.alive(age, settings.ttlOf(id, ttls)),
                    redis.exists(names.nodeStreamKey(pool, id))));
        });
        return rows;
    }

    private List<PoolReport.WorkerRow> workers(String pool, Instant now, Map<String, List<String>> lists) {
        Map<String, String> registered = userEntries(pool, PoolMap.WORKERS);
        Map<String, String> keepAlives = userEntries(pool, PoolMap.WORKER_KEEPALIVE);
        Map<String, String> locks = userEntries(pool, PoolMap.CLEANUP);
        Map<String, String> ttls = userEntries(pool, PoolMap.KEEPALIVE_TTL);
        Set<String> ids = new TreeSet<>(registered.keySet());
        ids.addAll(lists.keySet());
        ids.addAll(keepAlives.keySet());
        List<String> streamKeys = new ArrayList<>();
        ids.forEach(id -> streamKeys.add(names.workerStreamKey(pool, id)));
        Map<String, StreamMessage<byte[], byte[]>> heads = redis.firstEntries(streamKeys);

        List<PoolReport.WorkerRow> rows = new ArrayList<>();
        for (String id : ids) {
            String value = registered.get(id);
            Instant created = WireFormat.parseNanos(value);
            Instant keepAlive = WireFormat.parseNanos(keepAlives.get(id));
            Duration age = Clocks.age(now, keepAlive);
            String state;
            if (value == null) {
                state = "gone";
            } else if (WireFormat.REMOVING.equals(value)) {
                state = "removing";
            } else if (Inspection.alive(Clocks.age(now, WireFormat.parseNanos(locks.get(id))), settings.ttlOf(id, ttls))) {
                state = "cleaning";
            } else {
                state = Inspection.alive(age, settings.ttlOf(id, ttls)) ? "alive" : "dead";
            }
            rows.add(new PoolReport.WorkerRow(id, nodeOf(heads.get(names.workerStreamKey(pool, id))),
                    created, state, keepAlive, age, lists.getOrDefault(id, List.of())));
        }
        rows.sort(Comparator.comparing((PoolReport.WorkerRow w) -> w.createdAt() == null)
                .thenComparing(w -> w.createdAt() == null ? Instant.EPOCH : w.createdAt())
                .thenComparing(PoolReport.WorkerRow::id));
        return rows;
    }

    /** The node named by a worker stream's init event (an envelope from the hosting node). */
    private static String nodeOf(StreamMessage<byte[], byte[]> head) {
        if (head == null) {
            return null;
        }
        Map<String, byte[]> body = Streams.body(head);
        if (!WireFormat.KIND_INIT.equals(WireFormat.utf8(body.get(WireFormat.FIELD_NAME)))) {
            return null;
        }
        return WireFormat.decodeEnvelopeSender(body.get(WireFormat.FIELD_PAYLOAD)).orElse(null);
    }

    private record JobListing(List<PoolReport.JobRow> rows, int count) {
    }

    /** One key in one worker's job list. */
    private record Listed(String key, String worker) {
    }

    private JobListing jobs(String pool, Map<String, List<String>> lists) {
        String payloads = names.poolMapKey(pool, PoolMap.JOB_PAYLOADS);
        Set<Listed> listed = new TreeSet<>(Comparator.comparing(Listed::key).thenComparing(Listed::worker));
        lists.forEach((worker, keys) -> keys.forEach(key -> listed.add(new Listed(key, worker))));
        Set<String> ownedKeys = new LinkedHashSet<>();
        listed.forEach(l -> ownedKeys.add(l.key()));
        List<String> shownKeys = new ArrayList<>(ownedKeys).subList(0, Math.min(ownedKeys.size(), settings.listLimit()));
        Map<String, Long> sizes = redis.fieldLengths(payloads, shownKeys);
        List<PoolReport.JobRow> rows = new ArrayList<>();
        for (Listed l : listed) {
            if (sizes.containsKey(l.key())) {
                rows.add(new PoolReport.JobRow(l.key(), l.worker(), sizes.get(l.key())));
            }
        }
        // payloads nobody lists: counted from the hash's length, listed only when every owned key was sized
        RedisQueries.HashFacts facts = redis.hashFacts(payloads);
        long payloadCount = facts.length() - (facts.revision() == null ? 0 : 1) - (facts.kind() == null ? 0 : 1);
        long ownedWithPayload = sizes.values().stream().filter(n -> n >= 0).count();
        long unowned = shownKeys.size() == ownedKeys.size() ? Math.max(0, payloadCount - ownedWithPayload) : 0;
        if (unowned > 0) {
            rows.addAll(unownedPayloads(payloads, ownedKeys));
        }
        rows.sort(Comparator.comparing(PoolReport.JobRow::key).thenComparing(r -> r.worker() == null ? "" : r.worker()));
        return new JobListing(List.copyOf(rows.subList(0, Math.min(rows.size(), settings.listLimit()))),
                ownedKeys.size() + (int) unowned);
    }

    /** Payloads no worker lists, found with bounded HSCAN pages, with their sizes. */
    private List<PoolReport.JobRow> unownedPayloads(String payloads, Set<String> owned) {
        List<String> keys = new ArrayList<>();
        String cursor = "0";
        int pages = 0;
        do {
            RedisQueries.HashPage page = redis.hscan(payloads, cursor, settings.scanCount());
            page.entries().keySet().stream().filter(k -> !k.startsWith("=") && !owned.contains(k)).forEach(keys::add);
            cursor = page.cursor();
        } while (!"0".equals(cursor) && keys.size() < settings.listLimit() && ++pages < settings.maxScanPages());
        List<PoolReport.JobRow> rows = new ArrayList<>();
        redis.fieldLengths(payloads, keys).forEach((key, size) -> rows.add(new PoolReport.JobRow(key, null, size)));
        return rows;
    }

    private PoolReport.Backlog backlog(String pool, Instant now) {
        String stream = names.layout().poolStream(pool);
        String key = names.layout().streamKey(stream);
        String poolSink = names.layout().poolSinkName();
        if (!redis.exists(key)) {
            return new PoolReport.Backlog(stream, 0, 0, false, 0, null, List.of());
        }
        long length = RedisQueries.number(RedisQueries.fields(redis.xinfoStream(key)).get("length"));
        Optional<Groups.Group> events = Groups.of(redis, key, settings.lagCap()).stream()
                .filter(g -> g.name().equals(poolSink)).findFirst();
        if (events.isEmpty()) {
            // no full node ever joined: nothing has been read yet
            return new PoolReport.Backlog(stream, length, length, false, 0, null, List.of());
        }
        Groups.Group group = events.get();
        List<PoolReport.PendingEvent> oldest = new ArrayList<>();
        for (PendingMessage p : redis.pendingEntries(key, poolSink, settings.pendingShown())) {
            List<StreamMessage<byte[], byte[]>> entry = redis.range(key, p.getId(), p.getId(), 1);
            String kind = null;
            String jobKey = null;
            if (!entry.isEmpty()) {
                Map<String, byte[]> body = Streams.body(entry.get(0));
                kind = WireFormat.utf8(body.get(WireFormat.FIELD_NAME));
                jobKey = WireFormat.decodeKey(body.get(WireFormat.FIELD_PAYLOAD)).orElse(null);
            }
            oldest.add(new PoolReport.PendingEvent(p.getId(), kind, jobKey, p.getConsumer(), p.getRedeliveryCount(),
                    Clocks.age(now, WireFormat.idTime(p.getId()))));
        }
        Duration oldestAge = oldest.isEmpty() ? null : oldest.get(0).age();
        return new PoolReport.Backlog(stream, length, group.lag(), group.lagAtLeast(), group.pending(), oldestAge, oldest);
    }

    private List<PoolReport.TickerRow> tickers(String pool) {
        List<PoolReport.TickerRow> rows = new ArrayList<>();
        Map<String, String> entries = new LinkedHashMap<>(userEntries(pool, PoolMap.TICKERS));
        KeyLayout layout = names.layout();
        entries.forEach((entry, value) -> {
            Optional<String> ticker = layout.tickerOfField(pool, entry);
            String name = ticker.orElse(entry);
            // a schedule runs on the ticker of its name
            boolean scheduled = ticker.isPresent() && redis.exists(layout.mapContentKey(layout.scheduleMap(pool, name)));
            Optional<WireFormat.TickerValue> parsed = WireFormat.TickerValue.parse(value);
            rows.add(new PoolReport.TickerRow(name, parsed.map(WireFormat.TickerValue::next).orElse(null),
                    parsed.map(WireFormat.TickerValue::interval).orElse(value), scheduled));
        });
        return rows;
    }
}
