package io.pulse.admin;

import static io.pulse.admin.WireFormat.bytes;
import static io.pulse.admin.WireFormat.utf8;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.Limit;
import io.lettuce.core.MapScanCursor;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.models.stream.PendingMessage;
import io.lettuce.core.models.stream.PendingMessages;
import io.pulse.core.PulseRedis;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.RedisFacade;
import io.pulse.rmap.internal.MapProtocol;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Every read the operator tools send to Redis, through the facade of a {@link PulseRedis}: only bounded commands
 * (SCAN and HSCAN with COUNT, ranges with COUNT, single-key reads), never {@code KEYS} and never a
 * blocking command. Calls block the caller for at most the facade's sync timeout. Thread-safe.
 */
final class RedisQueries {

    private final RedisFacade redis;
    private final AdminNames names;

    RedisQueries(PulseRedis redis) {
        this.redis = RedisFacade.of(redis);
        this.names = new AdminNames(this.redis.layout());
    }

    /** The names of the keys the tools read, from the layout of the facade. */
    AdminNames names() {
        return names;
    }

    RedisFacade facade() {
        return redis;
    }

    /** One page of a SCAN: the keys it returned and the cursor to continue with ("0" when done). */
    record KeyPage(List<String> keys, String cursor) {
    }

    KeyPage scan(String cursor, String match, int count) {
        ScanArgs args = ScanArgs.Builder.matches(match).limit(count);
        KeyScanCursor<byte[]> page = sync("SCAN " + match, c -> c.scan(ScanCursor.of(cursor), args));
        List<String> keys = new ArrayList<>(page.getKeys().size());
        page.getKeys().forEach(k -> keys.add(utf8(k)));
        return new KeyPage(keys, page.isFinished() ? "0" : page.getCursor());
    }

    /** One page of an HSCAN: fields and values, and the cursor to continue with ("0" when done). */
    record HashPage(Map<String, String> entries, String cursor) {
    }

    HashPage hscan(String key, String cursor, int count) {
        MapScanCursor<byte[], byte[]> page = sync("HSCAN " + key,
                c -> c.hscan(bytes(key), ScanCursor.of(cursor), ScanArgs.Builder.limit(count)));
        Map<String, String> entries = new LinkedHashMap<>();
        page.getMap().forEach((k, v) -> entries.put(utf8(k), utf8(v)));
        return new HashPage(entries, page.isFinished() ? "0" : page.getCursor());
    }

    /** A whole hash: only for pool maps, whose size is bounded by the pool's workers, nodes and guards. */
    Map<String, String> hgetall(String key) {
        Map<byte[], byte[]> raw = sync("HGETALL " + key, c -> c.hgetall(bytes(key)));
        Map<String, String> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> out.put(utf8(k), utf8(v)));
        return out;
    }

    String hget(String key, String field) {
        return utf8(sync("HGET " + key, c -> c.hget(bytes(key), bytes(field))));
    }

    /** Several fields of one hash, pipelined; absent fields map to null. */
    Map<String, String> values(String key, List<String> fields) {
        byte[] k = bytes(key);
        List<CompletableFuture<byte[]>> calls = new ArrayList<>(fields.size());
        for (String field : fields) {
            calls.add(redis.execute("HGET " + key, c -> c.hget(k, bytes(field))));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < fields.size(); i++) {
            out.put(fields.get(i), utf8(await(calls.get(i), "HGET " + key)));
        }
        return out;
    }

    /** The length of one field's value per field, -1 where the field does not exist; pipelined. */
    Map<String, Long> fieldLengths(String key, List<String> fields) {
        byte[] k = bytes(key);
        List<CompletableFuture<Boolean>> exists = new ArrayList<>(fields.size());
        List<CompletableFuture<Long>> lengths = new ArrayList<>(fields.size());
        for (String field : fields) {
            exists.add(redis.execute("HEXISTS " + key, c -> c.hexists(k, bytes(field))));
            lengths.add(redis.execute("HSTRLEN " + key, c -> c.hstrlen(k, bytes(field))));
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < fields.size(); i++) {
            boolean present = Boolean.TRUE.equals(await(exists.get(i), "HEXISTS " + key));
            out.put(fields.get(i), present ? await(lengths.get(i), "HSTRLEN " + key) : -1L);
        }
        return out;
    }

    /** Size, revision, kind and TTL of a map's hash in one pipelined round trip. */
    record HashFacts(long length, String revision, String kind, long pttl) {
    }

    HashFacts hashFacts(String key) {
        byte[] k = bytes(key);
        CompletableFuture<Long> length = redis.execute("HLEN " + key, c -> c.hlen(k));
        CompletableFuture<byte[]> rev = redis.execute("HGET " + key, c -> c.hget(k, bytes(MapProtocol.REVISION_FIELD)));
        CompletableFuture<byte[]> kind = redis.execute("HGET " + key, c -> c.hget(k, bytes(MapProtocol.KIND_FIELD)));
        CompletableFuture<Long> pttl = redis.execute("PTTL " + key, c -> c.pttl(k));
        return new HashFacts(await(length, "HLEN " + key), utf8(await(rev, "HGET " + key)),
                utf8(await(kind, "HGET " + key)), await(pttl, "PTTL " + key));
    }

    boolean exists(String key) {
        Long n = sync("EXISTS " + key, c -> c.exists(bytes(key)));
        return n != null && n > 0;
    }

    List<Object> xinfoStream(String key) {
        return sync("XINFO STREAM " + key, c -> c.xinfoStream(bytes(key)));
    }

    List<Object> xinfoGroups(String key) {
        return sync("XINFO GROUPS " + key, c -> c.xinfoGroups(bytes(key)));
    }

    List<Object> xinfoConsumers(String key, String group) {
        return sync("XINFO CONSUMERS " + key, c -> c.xinfoConsumers(bytes(key), bytes(group)));
    }

    /** The group's unacknowledged count and the lowest unacknowledged id (null when none). */
    record PendingSummary(long count, String lowestId) {
    }

    PendingSummary pendingSummary(String key, String group) {
        PendingMessages p = sync("XPENDING " + key, c -> c.xpending(bytes(key), bytes(group)));
        if (p == null || p.getCount() == 0) {
            return new PendingSummary(0, null);
        }
        return new PendingSummary(p.getCount(), p.getMessageIds().getLower().getValue());
    }

    /** The oldest {@code count} unacknowledged entries of a group. */
    List<PendingMessage> pendingEntries(String key, String group, int count) {
        return sync("XPENDING " + key,
                c -> c.xpending(bytes(key), bytes(group), Range.create("-", "+"), Limit.from(count)));
    }

    /** Entries from {@code from} to {@code to} (inclusive; prefix with '(' to exclude), at most {@code count}. */
    List<StreamMessage<byte[], byte[]>> range(String key, String from, String to, int count) {
        return sync("XRANGE " + key, c -> c.xrange(bytes(key), Range.create(from, to), Limit.from(count)));
    }

    /** The newest {@code count} entries, newest first. */
    List<StreamMessage<byte[], byte[]>> newest(String key, int count) {
        return sync("XREVRANGE " + key, c -> c.xrevrange(bytes(key), Range.create("-", "+"), Limit.from(count)));
    }

    /** The first entry of several streams, pipelined; a missing stream maps to null. */
    Map<String, StreamMessage<byte[], byte[]>> firstEntries(List<String> keys) {
        List<CompletableFuture<List<StreamMessage<byte[], byte[]>>>> calls = new ArrayList<>();
        for (String key : keys) {
            calls.add(redis.execute("XRANGE " + key, c -> c.xrange(bytes(key), Range.create("-", "+"), Limit.from(1))));
        }
        Map<String, StreamMessage<byte[], byte[]>> out = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            List<StreamMessage<byte[], byte[]>> first = await(calls.get(i), "XRANGE " + keys.get(i));
            out.put(keys.get(i), first == null || first.isEmpty() ? null : first.get(0));
        }
        return out;
    }

    private <T> T sync(String what, Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
        return redis.executeSync(what, command);
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        return Futures.await(future, redis.syncTimeout(), what);
    }

    /** XINFO replies are flat field/value lists in RESP2: the field names as keys, values as sent. */
    static Map<String, Object> fields(Object reply) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (!(reply instanceof List<?> list)) {
            return out;
        }
        for (int i = 0; i + 1 < list.size(); i += 2) {
            Object name = list.get(i);
            out.put(name instanceof byte[] b ? utf8(b) : String.valueOf(name), list.get(i + 1));
        }
        return out;
    }

    static String text(Object value) {
        return value instanceof byte[] b ? utf8(b) : value == null ? null : String.valueOf(value);
    }

    static Long number(Object value) {
        if (value instanceof Long l) {
            return l;
        }
        String s = text(value);
        try {
            return s == null ? null : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
