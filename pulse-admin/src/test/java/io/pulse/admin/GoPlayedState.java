package io.pulse.admin;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Plays Go Pulse v1.6.5 nodes: writes, with raw Lettuce and nothing from the module under test, the
 * exact keys and records the Go specification gives (maps with {@code =rev}/{@code =kind}, Unix-ns
 * keep-alives, cjson job lists, the binary Job/JobKey/Notification/Envelope records, ticker values in
 * Go duration syntax), at times fixed relative to {@link #T} so reports are exact.
 *
 * <p>The state: pool {@code goshop} with a live node N1 and a dead node N2, a live worker W1 (jobs a,
 * b), a dead worker W2 (job c) and a worker W3 being removed; an unowned payload z; guards d (in
 * flight) and e (expired); a pool stream whose group {@code events} has 2 unacknowledged and 2
 * undelivered events; a ticker {@code beat} and a schedule {@code hourly}. Stream {@code orders} with
 * sinks {@code billing} (lag 2, one unacknowledged) and {@code audit} (caught up). Maps {@code flags}
 * and {@code config} (a reset tombstone).
 */
final class GoPlayedState implements AutoCloseable {

    /** The moment the state describes; inspect it with a clock fixed here. */
    static final Instant T = Instant.parse("2026-01-02T03:04:05Z");

    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final RedisCommands<byte[], byte[]> redis;

    GoPlayedState(String uri) {
        client = RedisClient.create(uri);
        connection = client.connect(ByteArrayCodec.INSTANCE);
        redis = connection.sync();
    }

    void write() {
        pool();
        orders();
        map("flags", 12, "del", "beta", "on", "limit", "10");
        map("config", 3, "reset");
    }

    private void pool() {
        map("goshop:node-keepalive", 7, "set", "N1", ns(ago(5)), "N2", ns(ago(120)));
        map("goshop:workers", 4, "set", "W1", ns(ago(600)), "W2", ns(ago(540)), "W3", "-");
        map("goshop:worker-keepalive", 9, "set", "W1", ns(ago(3)), "W2", ns(ago(95)), "W3", ns(ago(1)));
        map("goshop:jobs", 6, "set", "W1", "[\"a\",\"b\"]", "W2", "[\"c\"]", "W3", "[]");
        map("goshop:job-payloads", 5, "set", "a", "pa", "b", "", "c", "ccc", "z", "zz");
        map("goshop:pending-jobs", 2, "set", "d", ns(T.plusSeconds(30)), "e", ns(ago(10)));
        map("goshop:tickers", 3, "set", "goshop:hourly", micros(T.plusSeconds(1500)) + "|1h0m0s",
                "goshop:beat", micros(T.plusSeconds(7)) + "|10s");
        map("goshop:hourly", 1, "set", "a", "2026-01-02 02:00:00 +0000 UTC");
        map("goshop:shutdown", 0, null);

        add("goshop:node:N1", ago(3600), "i", bytes("N1"));
        add("goshop:node:N2", ago(3000), "i", bytes("N2"));
        add("worker:W1", ago(600), "i", frames(bytes("N1"), bytes("W1")));
        add("worker:W2", ago(540), "i", frames(bytes("N2"), bytes("W2")));

        String pool = "goshop:pool";
        add(pool, ago(180), "j", job("a", "N1", "pa", ago(180), false));
        add(pool, ago(120), "j", job("c", "N2", "ccc", ago(120), false));
        add(pool, ago(90), "s", frames(bytes("b")));
        add(pool, ago(30), "j", job("d", "N1", "dd", ago(30), false));
        add(pool, ago(10), "n", frames(bytes("a"), bytes("hi")));
        group(pool, "events", "0-0");
        read(pool, "events", "C1", 3);
        redis.xack(key(pool), bytes("events"), id(180));
        map("stream:goshop:pool:sinks", 1, "set", "events", "[\"C1\"]");
        map("sink:events:keepalive", 8, "set", "C1", ns(ago(4)));
    }

    private void orders() {
        String orders = "orders";
        add(orders, ago(120), "order.created", bytes("{\"id\":1}"));
        add(orders, ago(60), "order.created", bytes("{\"id\":2}"));
        add(orders, ago(30), "order.paid", bytes("{\"id\":1}"));
        add(orders, ago(10), "order.created", bytes("{\"id\":3}"));
        group(orders, "billing", "0-0");
        read(orders, "billing", "K1", 2);
        redis.xack(key(orders), bytes("billing"), id(120));
        redis.xgroupCreateconsumer(key(orders), Consumer.from(bytes("billing"), bytes("K2")));
        group(orders, "audit", "$");
        map("stream:orders:sinks", 2, "set", "billing", "[\"K1\",\"K2\"]");
        map("sink:billing:keepalive", 3, "set", "K1", ns(ago(6)));
    }

    // ---- Go's formats

    /** A map hash as Go's scripts leave it: user keys plus {@code =rev} and {@code =kind}. */
    private void map(String name, long rev, String kind, String... keyValues) {
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            fields.put(bytes(keyValues[i]), bytes(keyValues[i + 1]));
        }
        if (kind != null) {
            fields.put(bytes("=rev"), bytes(Long.toString(rev)));
            fields.put(bytes("=kind"), bytes(kind));
        }
        if (!fields.isEmpty()) {
            redis.hset(bytes("map:" + name + ":content"), fields);
        }
    }

    private void add(String stream, Instant at, String name, byte[] payload) {
        redis.xadd(key(stream), new XAddArgs().id(at.toEpochMilli() + "-0"), bytes("n"), bytes(name), bytes("p"), payload);
    }

    private void group(String stream, String group, String from) {
        redis.xgroupCreate(XReadArgs.StreamOffset.from(key(stream), from), bytes(group), XGroupCreateArgs.Builder.mkstream());
    }

    private void read(String stream, String group, String consumer, int count) {
        redis.xreadgroup(Consumer.from(bytes(group), bytes(consumer)), XReadArgs.Builder.count(count),
                XReadArgs.StreamOffset.lastConsumed(key(stream)));
    }

    /** Job: L(key) L(nodeId) L(payload) int64(createdAt ns) byte(requeued). */
    static byte[] job(String key, String node, String payload, Instant createdAt, boolean requeued) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(frames(bytes(key), bytes(node), bytes(payload)));
        long nanos = createdAt.getEpochSecond() * 1_000_000_000L + createdAt.getNano();
        for (int i = 0; i < 8; i++) {
            out.write((int) (nanos >>> (8 * i)) & 0xFF);
        }
        out.write(requeued ? 1 : 0);
        return out.toByteArray();
    }

    /** Each part as L(x): a 4-byte little-endian length, then the bytes. */
    static byte[] frames(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            int n = p.length;
            out.write(n & 0xFF);
            out.write((n >>> 8) & 0xFF);
            out.write((n >>> 16) & 0xFF);
            out.write((n >>> 24) & 0xFF);
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static Instant ago(long seconds) {
        return T.minus(Duration.ofSeconds(seconds));
    }

    static String id(long secondsAgo) {
        return ago(secondsAgo).toEpochMilli() + "-0";
    }

    static String ns(Instant at) {
        return Long.toString(at.getEpochSecond() * 1_000_000_000L + at.getNano());
    }

    static String micros(Instant at) {
        return Long.toString(at.getEpochSecond() * 1_000_000L + at.getNano() / 1000);
    }

    private static byte[] key(String stream) {
        return bytes("pulse:stream:" + stream);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
