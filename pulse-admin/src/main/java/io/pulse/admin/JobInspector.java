package io.pulse.admin;

import io.lettuce.core.StreamMessage;
import io.lettuce.core.models.stream.PendingMessage;
import io.pulse.core.KeyLayout.PoolMap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads what Redis holds about one job key: payload size, owners, dispatch guard, and the pool events
 * carrying the key among the newest ones (one bounded {@code XREVRANGE}) with their delivery state.
 */
final class JobInspector {

    private final RedisQueries redis;
    private final Inspection settings;
    private final PoolInspector pools;

    JobInspector(RedisQueries redis, Inspection settings, PoolInspector pools) {
        this.redis = redis;
        this.settings = settings;
        this.pools = pools;
    }

    Optional<JobReport> inspect(String pool, String key) {
        if (!pools.exists(pool)) {
            return Optional.empty();
        }
        Instant now = settings.now();
        String payloads = redis.names().poolMapKey(pool, PoolMap.JOB_PAYLOADS);
        long size = redis.fieldLengths(payloads, List.of(key)).get(key);
        List<String> owners = new ArrayList<>();
        pools.jobLists(pool).forEach((worker, keys) -> {
            if (keys.contains(key)) {
                owners.add(worker);
            }
        });
        Instant deadline = WireFormat.parseNanos(redis.hget(
                redis.names().poolMapKey(pool, PoolMap.PENDING_JOBS), key));
        return Optional.of(new JobReport(pool, key, size, owners, deadline, events(pool, key, now)));
    }

    private List<JobReport.Event> events(String pool, String key, Instant now) {
        String stream = redis.names().poolStreamKey(pool);
        String poolSink = redis.names().layout().poolSinkName();
        if (!redis.exists(stream)) {
            return List.of();
        }
        String lastDelivered = Groups.of(redis, stream, settings.lagCap()).stream()
                .filter(g -> g.name().equals(poolSink)).map(Groups.Group::lastDeliveredId)
                .findFirst().orElse(null);
        Map<String, String> pendingConsumer = new HashMap<>();
        if (lastDelivered != null) {
            for (PendingMessage p : redis.pendingEntries(stream, poolSink, settings.listLimit())) {
                pendingConsumer.put(p.getId(), p.getConsumer());
            }
        }
        List<JobReport.Event> out = new ArrayList<>();
        for (StreamMessage<byte[], byte[]> m : redis.newest(stream, settings.listLimit())) {
            Map<String, byte[]> body = Streams.body(m);
            if (!key.equals(WireFormat.decodeKey(body.get(WireFormat.FIELD_PAYLOAD)).orElse(null))) {
                continue;
            }
            String state;
            if (lastDelivered == null || Streams.compareIds(m.getId(), lastDelivered) > 0) {
                state = "undelivered";
            } else if (pendingConsumer.containsKey(m.getId())) {
                state = "unacknowledged";
            } else {
                state = "done";
            }
            out.add(new JobReport.Event(m.getId(), WireFormat.utf8(body.get(WireFormat.FIELD_NAME)),
                    Clocks.age(now, WireFormat.idTime(m.getId())), state, pendingConsumer.get(m.getId())));
        }
        return out;
    }
}
