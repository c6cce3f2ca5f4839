package io.pulse.admin;

import io.pulse.core.KeyLayout;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads one stream and its sinks: {@code XINFO STREAM}, {@code XINFO GROUPS}, {@code XINFO CONSUMERS},
 * the {@code XPENDING} summary, and each consumer's keep-alive from the sink's keep-alive map.
 */
final class StreamInspector {

    private final RedisQueries redis;
    private final Inspection settings;

    StreamInspector(RedisQueries redis, Inspection settings) {
        this.redis = redis;
        this.settings = settings;
    }

    Optional<StreamReport> inspect(String stream) {
        String key = redis.names().layout().streamKey(stream);
        if (!redis.exists(key)) {
            return Optional.empty();
        }
        Instant now = settings.now();
        Map<String, Object> info = RedisQueries.fields(redis.xinfoStream(key));
        long length = RedisQueries.number(info.get("length"));
        String firstId = entryId(info.get("first-entry"));
        String lastId = entryId(info.get("last-entry"));
        List<StreamReport.SinkRow> sinks = new ArrayList<>();
        for (Groups.Group group : Groups.of(redis, key, settings.lagCap())) {
            RedisQueries.PendingSummary pending = redis.pendingSummary(key, group.name());
            sinks.add(new StreamReport.SinkRow(group.name(), group.lag(), group.lagAtLeast(), group.pending(),
                    group.lastDeliveredId(), pending.lowestId() == null ? null
                            : Clocks.age(now, WireFormat.idTime(pending.lowestId())),
                    consumers(stream, key, group.name(), now)));
        }
        return Optional.of(new StreamReport(stream, length, firstId, age(now, firstId), lastId, age(now, lastId), sinks));
    }

    private List<StreamReport.ConsumerRow> consumers(String stream, String key, String sink, Instant now) {
        List<String> names = new ArrayList<>();
        List<Long> pending = new ArrayList<>();
        for (Object reply : redis.xinfoConsumers(key, sink)) {
            Map<String, Object> f = RedisQueries.fields(reply);
            names.add(RedisQueries.text(f.get("name")));
            Long p = RedisQueries.number(f.get("pending"));
            pending.add(p == null ? 0 : p);
        }
        KeyLayout layout = redis.names().layout();
        Map<String, String> keepAlives = redis.values(layout.mapContentKey(layout.sinkKeepAliveMap(stream, sink)), names);
        List<StreamReport.ConsumerRow> rows = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            Instant keepAlive = WireFormat.parseNanos(keepAlives.get(names.get(i)));
            rows.add(new StreamReport.ConsumerRow(names.get(i), pending.get(i), keepAlive, Clocks.age(now, keepAlive)));
        }
        rows.sort(Comparator.comparing(StreamReport.ConsumerRow::name));
        return rows;
    }

    private static String entryId(Object entry) {
        return entry instanceof List<?> list && !list.isEmpty() ? RedisQueries.text(list.get(0)) : null;
    }

    private static Duration age(Instant now, String id) {
        return Clocks.age(now, WireFormat.idTime(id));
    }
}
