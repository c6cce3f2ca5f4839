package io.pulse.admin;

import io.lettuce.core.StreamMessage;
import io.lettuce.core.models.stream.PendingMessage;
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
        String payloads = PulseLayout.mapContent(PulseLayout.poolMap(pool, PulseLayout.PAYLOADS_MAP));
        long size = redis.fieldLengths(payloads, List.of(key)).get(key);
        List<String> owners = new ArrayList<>();
        pools.jobLists(pool).forEach((worker, keys) -> {
            if (keys.contains(key)) {
                owners.add(worker);
            }
        });
        Instant deadline = PulseLayout.parseNanos(redis.hget(
                PulseLayout.mapContent(PulseLayout.poolMap(pool, PulseLayout.PENDING_MAP)), key));
        return Optional.of(new JobReport(pool, key, size, owners, deadline, events(pool, key, now)));
    }

    private List<JobReport.Event> events(String pool, String key, Instant now) {
        String stream = PulseLayout.streamKey(PulseLayout.poolStream(pool));
        if (!redis.exists(stream)) {
            return List.of();
        }
        String lastDelivered = Groups.of(redis, stream, settings.lagCap()).stream()
                .filter(g -> g.name().equals(PulseLayout.POOL_SINK)).map(Groups.Group::lastDeliveredId)
                .findFirst().orElse(null);
        Map<String, String> pendingConsumer = new HashMap<>();
        if (lastDelivered != null) {
            for (PendingMessage p : redis.pendingEntries(stream, PulseLayout.POOL_SINK, settings.listLimit())) {
                pendingConsumer.put(p.getId(), p.getConsumer());
            }
        }
        List<JobReport.Event> out = new ArrayList<>();
        for (StreamMessage<byte[], byte[]> m : redis.newest(stream, settings.listLimit())) {
            Map<String, byte[]> body = Streams.body(m);
            if (!key.equals(PulseLayout.decodeKey(body.get(PulseLayout.FIELD_PAYLOAD)).orElse(null))) {
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
            out.add(new JobReport.Event(m.getId(), PulseLayout.utf8(body.get(PulseLayout.FIELD_NAME)),
                    Clocks.age(now, PulseLayout.idTime(m.getId())), state, pendingConsumer.get(m.getId())));
        }
        return out;
    }
}
