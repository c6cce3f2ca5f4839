package io.pulse.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.core.internal.RedisFacade;
import io.pulse.rmap.ReplicatedMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;

/**
 * What a node knows about its pool: the live workers in routing order, job owners, job keys, payloads
 * and workers. Full nodes read their replicas of the pool maps (payload bytes always come from Redis,
 * since they need not be text); client-only nodes, which join no such maps, read Redis. Thread-safe.
 */
final class PoolView {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String pool;
    private final PoolNames names;
    private final RedisFacade redis;
    private final Liveness liveness;
    private final Logger log;
    private volatile Maps maps;

    /** The replicas a full node joins. */
    record Maps(ReplicatedMap workers, ReplicatedMap workerKeepAlives, ReplicatedMap cleanup, ReplicatedMap jobs,
            ReplicatedMap payloads) {
    }

    PoolView(PoolNames names, RedisFacade redis, Liveness liveness, Logger log) {
        this.pool = names.pool();
        this.names = names;
        this.redis = redis;
        this.liveness = liveness;
        this.log = log;
    }

    void attach(Maps maps) {
        this.maps = maps;
    }

    /**
     * The bucket list: workers not being removed, without a fresh cleanup lock, with a keep-alive
     * within their own node's worker TTL, ordered by creation time and then id (so every node orders
     * ties alike, and nodes with different TTLs agree).
     */
    List<String> activeWorkers() {
        Maps m = maps;
        long now = Node.nowNanos();
        Map<String, String> locks = m.cleanup().snapshot();
        Map<String, String> alive = m.workerKeepAlives().snapshot();
        List<Map.Entry<String, Long>> live = new ArrayList<>();
        for (Map.Entry<String, String> e : m.workers().snapshot().entrySet()) {
            if (PoolCodec.REMOVING.equals(e.getValue())) {
                continue;
            }
            String id = e.getKey();
            if (liveness.fresh(id, Node.parseNanos(locks.get(id)), now)) {
                continue; // a node is cleaning it up
            }
            Long created = Node.parseNanos(e.getValue());
            if (created == null || !liveness.fresh(id, Node.parseNanos(alive.get(id)), now)) {
                continue;
            }
            live.add(Map.entry(e.getKey(), created));
        }
        live.sort(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
        List<String> ids = new ArrayList<>(live.size());
        live.forEach(c -> ids.add(c.getKey()));
        return ids;
    }

    /** The active worker whose job list holds {@code key} (the oldest if several), or {@code null}. */
    String activeOwner(String key) {
        String owner = null;
        for (String worker : activeWorkers()) {
            if (maps.jobs().getValues(worker).contains(key)) {
                if (owner != null) {
                    log.atWarn().addKeyValue("job", key).log("job has several active owners; using the oldest worker");
                    return owner;
                }
                owner = worker;
            }
        }
        return owner;
    }

    /** Every worker of the pool, ordered by creation. */
    List<WorkerInfo> poolWorkers() {
        Maps m = maps;
        Map<String, String> all = m == null ? readMap(names.map(PoolMap.WORKERS)) : m.workers().snapshot();
        List<WorkerInfo> out = new ArrayList<>();
        for (Map.Entry<String, String> e : all.entrySet()) {
            Long created = Node.parseNanos(e.getValue());
            if (created != null) {
                out.add(new WorkerInfo(e.getKey(), Node.fromNanos(created)));
            }
        }
        out.sort(Comparator.comparing(WorkerInfo::createdAt).thenComparing(WorkerInfo::id));
        return out;
    }

    /** The keys in every worker's job list, without duplicates. */
    List<String> jobKeys() {
        Maps m = maps;
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
        return redis.execute("pool " + pool + ": read jobs", c -> c.hgetall(content)).thenApply(raw -> {
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
        byte[] value = redis.executeSync("pool " + pool + ": job payload",
                c -> c.hget(names.mapContentKey(PoolMap.JOB_PAYLOADS), bytes(key)));
        return Optional.ofNullable(value);
    }

    boolean payloadExists(String key) {
        Boolean exists = redis.executeSync("pool " + pool + ": job exists",
                c -> c.hexists(names.mapContentKey(PoolMap.JOB_PAYLOADS), bytes(key)));
        return Boolean.TRUE.equals(exists);
    }

    /** A pool map's user entries, read from Redis. */
    Map<String, String> readMap(String mapName) {
        Map<byte[], byte[]> raw = redis.executeSync("pool " + pool + ": read " + mapName,
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
            log.atWarn().addKeyValue("pool", pool).addKeyValue("value", json).log("unreadable job list skipped");
        }
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
