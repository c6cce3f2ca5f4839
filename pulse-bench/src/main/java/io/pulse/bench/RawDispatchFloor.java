package io.pulse.bench;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.pulse.core.KeyLayout;
import io.pulse.rmap.internal.MapScripts;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The floor of a pool dispatch: the Redis commands one {@code Node.dispatchJob} makes today, issued
 * back to back (each when the reply to the one before arrived, chained on Lettuce's I/O thread; the
 * caller waits once for the end) on one plain Lettuce connection shared by all callers, with the
 * very Lua scripts Pulse runs and keys of Go Pulse's layout under a pool of its own. No blocking
 * read, no thread hand-off, no routing logic: what is left is Redis's work and one round trip per
 * command. A raw subscriber listens on the three map channels the scripts publish to, as the full
 * node's replicas do, so Redis fans the same messages out.
 *
 * <p>The commands of one dispatch, in the order they run on the Pulse side:
 * <ol>
 *   <li>{@code EVALSHA claim_dispatch} (the dispatching node's atomic claim of the key);</li>
 *   <li>{@code XADD <pool>:pool} the start event {@code j};</li>
 *   <li>{@code XREADGROUP GROUP events} (the router's sink; Pulse blocks, here {@code COUNT 1});</li>
 *   <li>{@code XADD worker:<id> NOMKSTREAM} the routed event (the router);</li>
 *   <li>{@code XREAD} of the worker stream (the worker's reader; Pulse blocks, here it reads the entry
 *       just added);</li>
 *   <li>{@code EVALSHA record_job} (the worker records the job: its key appended to the worker's job
 *       list and its payload set, both published as map changes);</li>
 *   <li>{@code XADD <pool>:node:<router> NOMKSTREAM} the worker's ack {@code a};</li>
 *   <li>{@code XREAD} of the router's node stream;</li>
 *   <li>{@code XADD <pool>:node:<dispatcher> NOMKSTREAM} the result {@code d} and {@code XACK} of the
 *       pool event (the router);</li>
 *   <li>{@code XREAD} of the dispatcher's node stream;</li>
 *   <li>{@code EVALSHA release_dispatch} (the dispatcher drops its guard);</li>
 * </ol>
 * plus, every 100th add to a worker or node stream (their max length is 1,000), {@code EVALSHA trim}
 * on that stream, as {@code Stream.addAsync} does. Thread-safe.
 */
final class RawDispatchFloor implements DispatchSide {

    private static final String GROUP = "events";
    private static final byte[] PAYLOAD = StreamAddBenchmark.PAYLOAD;
    private static final long GUARD_NANOS = Duration.ofSeconds(40).toNanos();
    private static final int TRIM_EVERY = 100;

    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final StatefulRedisPubSubConnection<byte[], byte[]> subscriber;
    private final RedisAsyncCommands<byte[], byte[]> redis;
    private final String suffix;
    private final byte[][] claimKeys;
    private final byte[][] releaseKeys;
    /** The jobs map's hash and channel, then the payloads map's. */
    private final byte[][] recordKeys;
    private final byte[] poolKey;
    private final byte[] routerNode;
    private final byte[] clientNode;
    private final byte[][] workerKeys;
    private final byte[][] workerIds;
    private final AtomicInteger[] workerAdds;
    private final AtomicInteger routerAdds = new AtomicInteger();
    private final AtomicInteger clientAdds = new AtomicInteger();
    private final String claimSha;
    private final String releaseSha;
    private final String recordSha;
    private final String trimSha;
    private final byte[][] keys;
    private final Consumer<byte[]> router;

    RawDispatchFloor(String redisUrl, int workers, String[] jobKeys) {
        this.client = RedisClient.create(redisUrl);
        this.connection = client.connect(ByteArrayCodec.INSTANCE);
        this.subscriber = client.connectPubSub(ByteArrayCodec.INSTANCE);
        this.redis = connection.async();
        this.suffix = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
        String pool = "bench-dispatch-raw-" + suffix;
        KeyLayout layout = BenchKeys.LAYOUT;
        String payloads = layout.poolMap(pool, KeyLayout.PoolMap.JOB_PAYLOADS);
        String pending = layout.poolMap(pool, KeyLayout.PoolMap.PENDING_JOBS);
        String jobs = layout.poolMap(pool, KeyLayout.PoolMap.JOBS);
        this.claimKeys = new byte[][] {b(layout.mapContentKey(payloads)), b(layout.mapContentKey(pending)),
                b(layout.mapUpdatesChannel(pending))};
        this.releaseKeys = new byte[][] {b(layout.mapContentKey(pending)), b(layout.mapUpdatesChannel(pending))};
        this.recordKeys = new byte[][] {b(layout.mapContentKey(jobs)), b(layout.mapUpdatesChannel(jobs)),
            b(layout.mapContentKey(payloads)), b(layout.mapUpdatesChannel(payloads))};
        this.poolKey = b(layout.streamKey(layout.poolStream(pool)));
        this.routerNode = b(layout.streamKey(layout.nodeStream(pool, "router")));
        this.clientNode = b(layout.streamKey(layout.nodeStream(pool, "client")));
        this.workerKeys = new byte[workers][];
        this.workerIds = new byte[workers][];
        this.workerAdds = new AtomicInteger[workers];
        for (int w = 0; w < workers; w++) {
            workerIds[w] = b("bench-raw-" + suffix + "-w" + w);
            workerKeys[w] = b(layout.streamKey(layout.workerStream(pool, "bench-raw-" + suffix + "-w" + w)));
            workerAdds[w] = new AtomicInteger();
        }
        this.claimSha = load("/io/pulse/pool/lua/claim_dispatch.lua");
        this.releaseSha = load("/io/pulse/pool/lua/release_dispatch.lua");
        this.recordSha = load("/io/pulse/pool/lua/record_job.lua");
        this.trimSha = load("/io/pulse/streaming/lua/trim.lua");
        this.keys = new byte[jobKeys.length][];
        for (int i = 0; i < jobKeys.length; i++) {
            keys[i] = b(jobKeys[i]);
        }
        this.router = Consumer.from(b(GROUP), b("router"));
        // the streams exist before any dispatch, as a node's and a worker's do (their "i" event)
        RedisCommands<byte[], byte[]> sync = connection.sync();
        for (byte[] stream : List.of(routerNode, clientNode)) {
            sync.xadd(stream, body("i", b("node")));
        }
        for (byte[] stream : workerKeys) {
            sync.xadd(stream, body("i", b("worker")));
        }
        sync.xgroupCreate(XReadArgs.StreamOffset.from(poolKey, "0-0"), b(GROUP),
                io.lettuce.core.XGroupCreateArgs.Builder.mkstream());
        subscriber.sync().subscribe(claimKeys[2], recordKeys[1], recordKeys[3]);
    }

    @Override
    public String name() {
        return "raw";
    }

    @Override
    public void dispatch(int index) throws Exception {
        dispatchAsync(index).get(30, TimeUnit.SECONDS);
    }

    /**
     * The commands of one dispatch, each sent when the reply to the one before arrived (the chain runs
     * on Lettuce's I/O thread; the caller waits once, at the end, as a caller of dispatchJob does).
     */
    private CompletableFuture<Long> dispatchAsync(int index) {
        byte[] key = keys[index];
        long now = System.currentTimeMillis() * 1_000_000L;
        byte[] deadline = b(Long.toString(now + GUARD_NANOS));
        byte[] job = job(key, b("client"), PAYLOAD, now);
        int w = index % workerKeys.length;
        String[] poolId = new String[1];
        String[] workerEvent = new String[1];
        return stage(redis.evalsha(claimSha, ScriptOutputType.MULTI, claimKeys, key, b(Long.toString(now)), deadline,
                        b("1000")))
                .thenCompose(claim -> {
                    if (!Long.valueOf(1).equals(((List<?>) claim).get(0))) {
                        throw new IllegalStateException("raw claim refused for " + s(key) + ": " + claim);
                    }
                    return stage(redis.xadd(poolKey, body("j", job)));
                })
                .thenCompose(id -> {
                    poolId[0] = id;
                    return stage(redis.xreadgroup(router, XReadArgs.Builder.count(1),
                            XReadArgs.StreamOffset.lastConsumed(poolKey)));
                })
                .thenCompose(routed -> {
                    if (routed.isEmpty()) {
                        throw new IllegalStateException("the raw pool stream returned nothing");
                    }
                    return stage(redis.xadd(workerKeys[w], XAddArgs.Builder.nomkstream(),
                            body("j", envelope(b("router"), job))));
                })
                .thenCompose(id -> {
                    workerEvent[0] = id;
                    return readAfter(workerKeys[w], id);
                })
                .thenCompose(v -> trimEvery(workerAdds[w], workerKeys[w]))
                .thenCompose(v -> stage(redis.evalsha(recordSha, ScriptOutputType.INTEGER, recordKeys,
                        workerIds[w], key, PAYLOAD)))
                .thenCompose(v -> stage(redis.xadd(routerNode, XAddArgs.Builder.nomkstream(),
                        body("a", envelope(workerIds[w], ack(b(workerEvent[0])))))))
                .thenCompose(id -> readAfter(routerNode, id))
                .thenCompose(v -> trimEvery(routerAdds, routerNode))
                .thenCompose(v -> stage(redis.xadd(clientNode, XAddArgs.Builder.nomkstream(),
                        body("d", ack(b(poolId[0]))))))
                .thenCompose(id -> trimEvery(clientAdds, clientNode)
                        .thenCompose(v -> stage(redis.xack(poolKey, b(GROUP), poolId[0])))
                        .thenCompose(v -> readAfter(clientNode, id)))
                .thenCompose(v -> stage(redis.evalsha(releaseSha, ScriptOutputType.INTEGER, releaseKeys, key,
                        deadline)));
    }

    /** Reads the entry {@code id} of {@code stream} with XREAD (COUNT 1, after the id just before it). */
    private CompletableFuture<Void> readAfter(byte[] stream, String id) {
        return stage(redis.xread(XReadArgs.Builder.count(1), XReadArgs.StreamOffset.from(stream, before(id))))
                .thenAccept(got -> {
                    if (got.isEmpty()) {
                        throw new IllegalStateException("entry " + id + " of " + s(stream) + " not read back");
                    }
                });
    }

    private CompletableFuture<Void> trimEvery(AtomicInteger adds, byte[] stream) {
        if (adds.incrementAndGet() % TRIM_EVERY != 0) {
            return CompletableFuture.completedFuture(null);
        }
        return stage(redis.<Long>evalsha(trimSha, ScriptOutputType.INTEGER, new byte[][] {stream}, b("1000"),
                b("10000"))).thenAccept(v -> { });
    }

    private static <T> CompletableFuture<T> stage(RedisFuture<T> future) {
        return future.toCompletableFuture();
    }

    /** The jobs and payloads of the window go; the pool stream's acknowledged entries too. */
    @Override
    public void reset() {
        RedisCommands<byte[], byte[]> sync = connection.sync();
        sync.del(recordKeys[0], recordKeys[2]);
        sync.xtrim(poolKey, 0);
    }

    @Override
    public void close() {
        try {
            subscriber.close();
            connection.close();
            try (StatefulRedisConnection<String, String> admin = client.connect()) {
                BenchKeys.deleteMatching(admin.sync(), "*" + suffix + "*");
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private String load(String resource) {
        return connection.sync().scriptLoad(b(MapScripts.withWriteProtocol(resource).source()));
    }

    /** The id just before {@code id} (entry ids are {@code ms-seq}). */
    static String before(String id) {
        int dash = id.indexOf('-');
        long ms = Long.parseLong(id.substring(0, dash));
        long seq = Long.parseUnsignedLong(id.substring(dash + 1));
        return seq > 0 ? ms + "-" + (seq - 1) : (ms - 1) + "-" + Long.toUnsignedString(-1L);
    }

    private static Map<byte[], byte[]> body(String kind, byte[] payload) {
        Map<byte[], byte[]> body = new LinkedHashMap<>(4);
        body.put(b("n"), b(kind));
        body.put(b("p"), payload);
        return body;
    }

    /** Go Pulse's job record: L(key) L(nodeId) L(payload) int64(createdAt ns) byte(requeued). */
    private static byte[] job(byte[] key, byte[] node, byte[] payload, long createdAt) {
        ByteBuffer out = ByteBuffer.allocate(12 + key.length + node.length + payload.length + 9)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(key.length).put(key).putInt(node.length).put(node).putInt(payload.length).put(payload);
        return out.putLong(createdAt).put((byte) 0).array();
    }

    private static byte[] envelope(byte[] sender, byte[] inner) {
        return ByteBuffer.allocate(8 + sender.length + inner.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(sender.length).put(sender).putInt(inner.length).put(inner).array();
    }

    private static byte[] ack(byte[] eventId) {
        return ByteBuffer.allocate(8 + eventId.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(eventId.length).put(eventId).putInt(0).array();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
