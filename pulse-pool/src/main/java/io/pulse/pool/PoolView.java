package io.pulse.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.core.internal.RedisFacade;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.rmap.internal.ListValues;
import io.pulse.rmap.internal.StateMaps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * What a node knows about its pool: the live workers in routing order, job owners, job keys, payloads
 * and workers. Full nodes read their replicas of the pool maps (payload bytes always come from Redis,
 * since they need not be text); client-only nodes, which join no such maps, read Redis. Thread-safe.
 *
 * <p>Routing asks for the bucket list and job owners on every event: the bucket list is computed once
 * and kept until one of the maps it is computed from changes (each replica counts its changes) or a
 * keep-alive or cleanup lock it relied on grows older than its TTL; each worker's job list is parsed
 * once per text it takes.
 */
final class PoolView {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PoolNames names;
    private final RedisFacade redis;
    private final Liveness liveness;
    private final Logger log;
    private volatile PoolMaps maps;
    private volatile Buckets buckets;
    private final Map<String, ParsedList> parsedLists = new ConcurrentHashMap<>();

    /** The bucket list computed when the maps were at {@code versions}, valid until {@code validUntil} (Unix ns). */
    private record Buckets(long[] versions, long validUntil, List<String> active) {
    }

    /** A worker's job list as last parsed, valid while the replica holds the same {@code text}. */
    private record ParsedList(String text, Set<String> keys) {
    }

    PoolView(PoolNames names, RedisFacade redis, Liveness liveness, Logger log) {
        this.names = names;
        this.redis = redis;
        this.liveness = liveness;
        this.log = log;
    }

    /** The replicas of a full node; until then (and on client-only nodes) the view reads Redis. */
    void attach(PoolMaps maps) {
        this.maps = maps;
    }

    /**
     * The bucket list: workers not being removed, without a fresh cleanup lock, with a keep-alive
     * within their own node's worker TTL, ordered by creation time and then id (so every node orders
     * ties alike, and nodes with different TTLs agree). Immutable.
     */
    List<String> activeWorkers() {
        PoolMaps m = maps;
        // the versions are read before the content: a change in between makes the next call recompute
        long[] versions = versions(m);
        long now = PoolClock.nowNanos();
        Buckets cached = buckets;
        if (cached != null && now <= cached.validUntil() && Arrays.equals(cached.versions(), versions)) {
            return cached.active();
        }
        Buckets computed = computeBuckets(m, versions, now);
        buckets = computed;
        return computed.active();
    }

    private long[] versions(PoolMaps m) {
        return new long[] {StateMaps.changes(m.workers()), StateMaps.changes(m.workerKeepAlives()),
            StateMaps.changes(m.cleanup()), StateMaps.changes(m.keepAliveTtls())};
    }

    private Buckets computeBuckets(PoolMaps m, long[] versions, long now) {
        Map<String, String> locks = m.cleanup().snapshot();
        Map<String, String> alive = m.workerKeepAlives().snapshot();
        long validUntil = Long.MAX_VALUE;
        List<Map.Entry<String, Long>> live = new ArrayList<>();
        for (Map.Entry<String, String> e : m.workers().snapshot().entrySet()) {
            if (PoolCodec.REMOVING.equals(e.getValue())) {
                continue;
            }
            String id = e.getKey();
            Long lock = PoolClock.parseNanos(locks.get(id));
            if (liveness.fresh(id, lock, now)) {
                // a node is cleaning it up; once the lock is stale the worker may count again
                validUntil = Math.min(validUntil, expiry(lock, liveness.ttlNanos(id)));
                continue;
            }
            Long created = PoolClock.parseNanos(e.getValue());
            Long keepAlive = PoolClock.parseNanos(alive.get(id));
            if (created == null || !liveness.fresh(id, keepAlive, now)) {
                continue;
            }
            validUntil = Math.min(validUntil, expiry(keepAlive, liveness.ttlNanos(id)));
            live.add(Map.entry(id, created));
        }
        live.sort(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
        List<String> ids = new ArrayList<>(live.size());
        live.forEach(c -> ids.add(c.getKey()));
        return new Buckets(versions, validUntil, List.copyOf(ids));
    }

    /** The last instant (Unix ns) at which a timestamp written at {@code at} is still fresh. */
    private static long expiry(long at, long ttlNanos) {
        return at > Long.MAX_VALUE - ttlNanos ? Long.MAX_VALUE : at + ttlNanos;
    }

    /** The active worker whose job list holds {@code key} (the oldest if several), or {@code null}. */
    String activeOwner(String key) {
        List<String> active = activeWorkers();
        ReplicatedMap jobs = maps.jobs();
        String owner = null;
        int owners = 0;
        for (String worker : active) {
            if (jobKeysOf(jobs, worker).contains(key)) {
                owner = owner == null ? worker : owner;
                owners++;
            }
        }
        if (parsedLists.size() > active.size()) {
            parsedLists.keySet().retainAll(active);
        }
        if (owners > 1) {
            log.atWarn().addKeyValue("job", key).log("job has several active owners; using the oldest worker");
        }
        return owner;
    }

    /**
     * The keys of {@code worker}'s job list in the replica. Each start or stop changes one worker's
     * list, so a list is parsed again only when its text changed, not every list on every change.
     */
    private Set<String> jobKeysOf(ReplicatedMap jobs, String worker) {
        String text = jobs.get(worker).orElse(null);
        if (text == null) {
            return Set.of();
        }
        ParsedList cached = parsedLists.get(worker);
        if (cached != null && cached.text().equals(text)) {
            return cached.keys();
        }
        Set<String> keys = new HashSet<>(ListValues.parse(text));
        parsedLists.put(worker, new ParsedList(text, keys));
        return keys;
    }

    /** Every worker of the pool, ordered by creation. */
    List<WorkerInfo> poolWorkers() {
        PoolMaps m = maps;
        Map<String, String> all = m == null ? readMap(names.map(PoolMap.WORKERS)) : m.workers().snapshot();
        List<WorkerInfo> out = new ArrayList<>();
        for (Map.Entry<String, String> e : all.entrySet()) {
            Long created = PoolClock.parseNanos(e.getValue());
            if (created != null) {
                out.add(new WorkerInfo(e.getKey(), PoolClock.fromNanos(created)));
            }
        }
        out.sort(Comparator.comparing(WorkerInfo::createdAt).thenComparing(WorkerInfo::id));
        return out;
    }

    /** The keys in every worker's job list, without duplicates. */
    List<String> jobKeys() {
        PoolMaps m = maps;
        Map<String, String> lists = m == null ? readMap(names.map(PoolMap.JOBS)) : m.jobs().snapshot();
        Set<String> keys = new LinkedHashSet<>();
        for (String worker : lists.keySet()) {
            keys.addAll(m == null ? parseList(lists.get(worker)) : m.jobs().getValues(worker));
        }
        return new ArrayList<>(keys);
    }

    /** The keys in every worker's job list in Redis (never the replica, which may lag). Async. */
    CompletableFuture<Set<String>> jobKeysInRedis() {
        byte[] content = names.mapContentKey(PoolMap.JOBS);
        return redis.execute("pool " + names.pool() + ": read jobs", c -> c.hgetall(content)).thenApply(raw -> {
            Set<String> keys = new HashSet<>();
            raw.forEach((field, list) -> {
                if (field.length > 0 && field[0] != '=') {
                    keys.addAll(parseList(new String(list, StandardCharsets.UTF_8)));
                }
            });
            return keys;
        });
    }

    /** The exact payload bytes of job {@code key}, from Redis. */
    Optional<byte[]> payload(String key) {
        byte[] value = redis.executeSync("pool " + names.pool() + ": job payload",
                c -> c.hget(names.mapContentKey(PoolMap.JOB_PAYLOADS), bytes(key)));
        return Optional.ofNullable(value);
    }

    boolean payloadExists(String key) {
        Boolean exists = redis.executeSync("pool " + names.pool() + ": job exists",
                c -> c.hexists(names.mapContentKey(PoolMap.JOB_PAYLOADS), bytes(key)));
        return Boolean.TRUE.equals(exists);
    }

    /** A pool map's user entries, read from Redis. */
    Map<String, String> readMap(String mapName) {
        Map<byte[], byte[]> raw = redis.executeSync("pool " + names.pool() + ": read " + mapName,
                c -> c.hgetall(bytes(names.layout().mapContentKey(mapName))));
        Map<String, String> out = new HashMap<>();
        raw.forEach((k, v) -> {
            String field = new String(k, StandardCharsets.UTF_8);
            if (!field.startsWith("=")) {
                out.put(field, new String(v, StandardCharsets.UTF_8));
            }
        });
        return out;
    }

    private List<String> parseList(String json) {
        List<String> out = new ArrayList<>();
        try {
            JsonNode node = JSON.readTree(json);
            if (node != null && node.isArray()) {
                node.forEach(n -> out.add(n.asText()));
            }
        } catch (IOException e) {
            log.atWarn().addKeyValue("pool", names.pool()).addKeyValue("value", json).log("unreadable job list skipped");
        }
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
