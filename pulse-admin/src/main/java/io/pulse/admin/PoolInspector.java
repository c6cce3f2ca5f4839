package io.pulse.admin;

import static io.pulse.admin.PulseLayout.mapContent;
import static io.pulse.admin.PulseLayout.poolMap;

import io.lettuce.core.StreamMessage;
import io.lettuce.core.models.stream.PendingMessage;
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
    private final Inspection settings;

    PoolInspector(RedisQueries redis, Inspection settings) {
        this.redis = redis;
        this.settings = settings;
    }

    /** Whether any of the keys that only a pool has exists. */
    boolean exists(String pool) {
        for (String marker : PulseLayout.POOL_MARKER_MAPS) {
            if (redis.exists(mapContent(poolMap(pool, marker)))) {
                return true;
            }
        }
        return redis.exists(PulseLayout.streamKey(PulseLayout.poolStream(pool)));
    }

    Optional<PoolReport> inspect(String pool) {
        if (!exists(pool)) {
            return Optional.empty();
        }
        Instant now = settings.now();
        boolean shuttingDown = !userEntries(pool, PulseLayout.SHUTDOWN_MAP).isEmpty();
        List<PoolReport.NodeRow> nodes = nodes(pool, now);
        Map<String, List<String>> lists = jobLists(pool);
        List<PoolReport.WorkerRow> workers = workers(pool, now, lists);
        JobListing jobs = jobs(pool, lists);
        List<PoolReport.DispatchRow> pending = new ArrayList<>();
        userEntries(pool, PulseLayout.PENDING_MAP).forEach((key, value) -> {
            Instant deadline = PulseLayout.parseNanos(value);
            pending.add(new PoolReport.DispatchRow(key, deadline, deadline == null || deadline.isBefore(now)));
        });
        return Optional.of(new PoolReport(pool, shuttingDown, nodes, workers, jobs.rows(), jobs.count(), pending,
                backlog(pool, now), tickers(pool)));
    }

    /** A pool map's user entries, sorted by key (the revision and kind fields left out). */
    Map<String, String> userEntries(String pool, String suffix) {
        Map<String, String> out = new TreeMap<>();
        redis.hgetall(mapContent(poolMap(pool, suffix))).forEach((k, v) -> {
            if (!k.startsWith("=")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Each worker's job list, by worker id. */
    Map<String, List<String>> jobLists(String pool) {
        Map<String, List<String>> lists = new TreeMap<>();
        userEntries(pool, PulseLayout.JOBS_MAP).forEach((worker, list) -> lists.put(worker, PulseLayout.parseList(list)));
        return lists;
    }

    private List<PoolReport.NodeRow> nodes(String pool, Instant now) {
        List<PoolReport.NodeRow> rows = new ArrayList<>();
        Map<String, String> ttls = userEntries(pool, PulseLayout.KEEPALIVE_TTL_MAP);
        userEntries(pool, PulseLayout.NODE_KEEPALIVE_MAP).forEach((id, value) -> {
            Instant keepAlive = PulseLayout.parseNanos(value);
            Duration age = Clocks.age(now, keepAlive);
            rows.add(new PoolReport.NodeRow(id, keepAlive, age, Inspection.alive(age, settings.ttlOf(id, ttls)),
                    redis.exists(PulseLayout.streamKey(PulseLayout.nodeStream(pool, id)))));
        });
        return rows;
    }

    private List<PoolReport.WorkerRow> workers(String pool, Instant now, Map<String, List<String>> lists) {
        Map<String, String> registered = userEntries(pool, PulseLayout.WORKERS_MAP);
        Map<String, String> keepAlives = userEntries(pool, PulseLayout.WORKER_KEEPALIVE_MAP);
        Map<String, String> locks = userEntries(pool, PulseLayout.CLEANUP_MAP);
        Map<String, String> ttls = userEntries(pool, PulseLayout.KEEPALIVE_TTL_MAP);
        Set<String> ids = new TreeSet<>(registered.keySet());
        ids.addAll(lists.keySet());
        ids.addAll(keepAlives.keySet());
        List<String> streamKeys = new ArrayList<>();
        ids.forEach(id -> streamKeys.add(PulseLayout.streamKey(PulseLayout.workerStream(id))));
        Map<String, StreamMessage<byte[], byte[]>> heads = redis.firstEntries(streamKeys);

        List<PoolReport.WorkerRow> rows = new ArrayList<>();
        for (String id : ids) {
            String value = registered.get(id);
            Instant created = PulseLayout.parseNanos(value);
            Instant keepAlive = PulseLayout.parseNanos(keepAlives.get(id));
            Duration age = Clocks.age(now, keepAlive);
            String state;
            if (value == null) {
                state = "gone";
            } else if (PulseLayout.REMOVING.equals(value)) {
                state = "removing";
            } else if (Inspection.alive(Clocks.age(now, PulseLayout.parseNanos(locks.get(id))), settings.ttlOf(id, ttls))) {
                state = "cleaning";
            } else {
                state = Inspection.alive(age, settings.ttlOf(id, ttls)) ? "alive" : "dead";
            }
            rows.add(new PoolReport.WorkerRow(id, nodeOf(heads.get(PulseLayout.streamKey(PulseLayout.workerStream(id)))),
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
        if (!PulseLayout.KIND_INIT.equals(PulseLayout.utf8(body.get(PulseLayout.FIELD_NAME)))) {
            return null;
        }
        return PulseLayout.decodeEnvelopeSender(body.get(PulseLayout.FIELD_PAYLOAD)).orElse(null);
    }

    private record JobListing(List<PoolReport.JobRow> rows, int count) {
    }

    /** One key in one worker's job list. */
    private record Listed(String key, String worker) {
    }

    private JobListing jobs(String pool, Map<String, List<String>> lists) {
        String payloads = mapContent(poolMap(pool, PulseLayout.PAYLOADS_MAP));
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
        String stream = PulseLayout.poolStream(pool);
        String key = PulseLayout.streamKey(stream);
        if (!redis.exists(key)) {
            return new PoolReport.Backlog(stream, 0, 0, false, 0, null, List.of());
        }
        long length = RedisQueries.number(RedisQueries.fields(redis.xinfoStream(key)).get("length"));
        Optional<Groups.Group> events = Groups.of(redis, key, settings.lagCap()).stream()
                .filter(g -> g.name().equals(PulseLayout.POOL_SINK)).findFirst();
        if (events.isEmpty()) {
            // no full node ever joined: nothing has been read yet
            return new PoolReport.Backlog(stream, length, length, false, 0, null, List.of());
        }
        Groups.Group group = events.get();
        List<PoolReport.PendingEvent> oldest = new ArrayList<>();
        for (PendingMessage p : redis.pendingEntries(key, PulseLayout.POOL_SINK, settings.pendingShown())) {
            List<StreamMessage<byte[], byte[]>> entry = redis.range(key, p.getId(), p.getId(), 1);
            String kind = null;
            String jobKey = null;
            if (!entry.isEmpty()) {
                Map<String, byte[]> body = Streams.body(entry.get(0));
                kind = PulseLayout.utf8(body.get(PulseLayout.FIELD_NAME));
                jobKey = PulseLayout.decodeKey(body.get(PulseLayout.FIELD_PAYLOAD)).orElse(null);
            }
            oldest.add(new PoolReport.PendingEvent(p.getId(), kind, jobKey, p.getConsumer(), p.getRedeliveryCount(),
                    Clocks.age(now, PulseLayout.idTime(p.getId()))));
        }
        Duration oldestAge = oldest.isEmpty() ? null : oldest.get(0).age();
        return new PoolReport.Backlog(stream, length, group.lag(), group.lagAtLeast(), group.pending(), oldestAge, oldest);
    }

    private List<PoolReport.TickerRow> tickers(String pool) {
        List<PoolReport.TickerRow> rows = new ArrayList<>();
        Map<String, String> entries = new LinkedHashMap<>(userEntries(pool, PulseLayout.TICKERS_MAP));
        String prefix = PulseLayout.tickerEntry(pool, "");
        entries.forEach((entry, value) -> {
            String name = entry.startsWith(prefix) ? entry.substring(prefix.length()) : entry;
            Optional<PulseLayout.TickerValue> parsed = PulseLayout.TickerValue.parse(value);
            rows.add(new PoolReport.TickerRow(name, parsed.map(PulseLayout.TickerValue::next).orElse(null),
                    parsed.map(PulseLayout.TickerValue::interval).orElse(value), redis.exists(mapContent(entry))));
        });
        return rows;
    }
}
