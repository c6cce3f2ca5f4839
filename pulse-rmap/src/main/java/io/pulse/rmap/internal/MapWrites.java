package io.pulse.rmap.internal;

import io.lettuce.core.ScriptOutputType;
import io.pulse.core.ClosedException;
import io.pulse.core.PulseEventListener;
import io.pulse.core.PulseException;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.LuaScript;
import io.pulse.core.internal.Names;
import io.pulse.core.internal.RedisFacade;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The mutations of one replicated map, each one Lua script of {@code src-lua/rmap} (composed with the
 * map write protocol), with no replica: what {@code ReplicatedMap} runs, and what modules that write a
 * map without joining it run (a pool writing a job's payload bytes, a stream or a pool destroying
 * its maps). Thread-safe; no method blocks. Bad arguments throw {@link NullPointerException} or
 * {@link IllegalArgumentException} before any Redis I/O; futures fail with the {@link PulseException}
 * types of the facade (their message names the map, the operation and the key). Not API.
 */
public final class MapWrites {

    private static final byte[] NO_TTL = bytes("0");
    private static final byte[] ABSOLUTE = bytes("absolute");

    private final String name;
    private final RedisFacade redis;
    private final byte[][] keys;
    private final byte[] ttlMillis;
    private final byte[] ttlMode;
    private final BooleanSupplier closed;

    /** A write's outcome: the value found before ({@code null} if absent) and the revision it produced. */
    public record SetResult(String previous, long revision) {
    }

    private MapWrites(RedisFacade redis, String name, Duration ttl, boolean sliding, BooleanSupplier closed) {
        this.name = name;
        this.redis = redis;
        this.keys = new byte[][] {bytes(redis.layout().mapContentKey(name)), bytes(redis.layout().mapUpdatesChannel(name))};
        this.ttlMillis = ttl.isZero() ? NO_TTL : bytes(Long.toString(ttl.toMillis()));
        this.ttlMode = sliding ? bytes("sliding") : ABSOLUTE;
        this.closed = closed;
    }

    /** Writes to the map {@code name}, which has no TTL, without joining it. */
    public static MapWrites of(RedisFacade redis, String name) {
        return new MapWrites(redis, name, Duration.ZERO, false, () -> false);
    }

    /**
     * The writes of a joined map with a TTL ({@code Duration.ZERO}: none) applied by every write; while
     * {@code closed} says so, writes other than reset and destroy fail with {@link ClosedException}.
     */
    public static MapWrites of(RedisFacade redis, String name, Duration ttl, boolean sliding, BooleanSupplier closed) {
        return new MapWrites(redis, name, ttl, sliding, closed);
    }

    /** Sets {@code key}; {@code op} names the caller's operation in errors. */
    public CompletableFuture<SetResult> set(String op, String key, String value) {
        validKey(op, key);
        Objects.requireNonNull(value, "value");
        return this.<List<Object>>run(MapScripts.SET, ScriptOutputType.MULTI, op, key, true, key, value)
                .thenApply(r -> {
                    if (r.size() != 3 || !(r.get(0) instanceof Long) || !(r.get(2) instanceof byte[])) {
                        throw new PulseException("map " + name + ": set returned an unexpected reply " + r);
                    }
                    String previous = ((Long) r.get(0)) == 1L ? string((byte[]) r.get(1)) : null;
                    return new SetResult(previous, Long.parseLong(string((byte[]) r.get(2))));
                });
    }

    /**
     * Sets {@code key} to {@code value} stored byte for byte, for values that need not be UTF-8 text (Go
     * Pulse stores job payloads so). Replicas see the value decoded as UTF-8. Completes with the previous
     * value or {@code null}.
     */
    public CompletableFuture<String> setBytes(String key, byte[] value) {
        validKey("set", key);
        Objects.requireNonNull(value, "value");
        CompletableFuture<List<Object>> result = runEncoded(MapScripts.SET, ScriptOutputType.MULTI, "set", key, true,
                new byte[][] {bytes(key), value});
        return result.thenApply(r -> ((Long) r.get(0)) == 1L ? string((byte[]) r.get(1)) : null);
    }

    public CompletableFuture<Boolean> setIfAbsent(String key, String value) {
        validKey("setIfAbsent", key);
        Objects.requireNonNull(value, "value");
        return this.<Long>run(MapScripts.SET_IF_ABSENT, ScriptOutputType.INTEGER, "setIfAbsent", key, true,
                key, value).thenApply(r -> r == 1L);
    }

    public CompletableFuture<String> testAndSet(String key, String expected, String value) {
        validKey("testAndSet", key);
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(value, "value");
        return this.<byte[]>run(MapScripts.TEST_AND_SET, ScriptOutputType.VALUE, "testAndSet", key, true,
                key, expected, value).thenApply(MapWrites::string);
    }

    public CompletableFuture<Long> inc(String key, long delta) {
        validKey("inc", key);
        return this.<byte[]>run(MapScripts.INC, ScriptOutputType.VALUE, "inc", key, true, key, Long.toString(delta))
                .thenApply(v -> Long.parseLong(string(v)));
    }

    public CompletableFuture<List<String>> appendValues(String key, String... items) {
        return listOp(MapScripts.APPEND, "appendValues", key, items);
    }

    public CompletableFuture<List<String>> appendUniqueValues(String key, String... items) {
        return listOp(MapScripts.APPEND_UNIQUE, "appendUniqueValues", key, items);
    }

    /** Completes with the remaining items, an empty list when none remain or the key is absent. */
    public CompletableFuture<List<String>> removeValues(String key, String... items) {
        validKey("removeValues", key);
        String[] args = listArgs(key, items);
        return this.<List<Object>>run(MapScripts.REMOVE, ScriptOutputType.MULTI, "removeValues", key, true, args)
                .thenApply(r -> {
                    String remaining = r.isEmpty() ? null : string((byte[]) r.get(0));
                    return remaining == null || remaining.isEmpty() ? List.<String>of() : ListValues.parse(remaining);
                });
    }

    public CompletableFuture<String> delete(String key) {
        validKey("delete", key);
        return this.<byte[]>run(MapScripts.DELETE, ScriptOutputType.VALUE, "delete", key, true, key)
                .thenApply(MapWrites::string);
    }

    public CompletableFuture<String> testAndDelete(String key, String expected) {
        validKey("testAndDelete", key);
        Objects.requireNonNull(expected, "expected");
        return this.<byte[]>run(MapScripts.TEST_AND_DELETE, ScriptOutputType.VALUE, "testAndDelete", key, true,
                key, expected).thenApply(MapWrites::string);
    }

    /** Empties the map; runs even after the map closed. */
    public CompletableFuture<Void> reset() {
        return this.<byte[]>run(MapScripts.RESET, ScriptOutputType.VALUE, "reset", null, false).thenApply(v -> null);
    }

    public CompletableFuture<Boolean> testAndReset(Map<String, String> expected) {
        Objects.requireNonNull(expected, "expected");
        List<String> testedKeys = new ArrayList<>(expected.size());
        List<String> testedValues = new ArrayList<>(expected.size());
        for (Map.Entry<String, String> e : expected.entrySet()) {
            validKey("testAndReset", e.getKey());
            testedKeys.add(e.getKey());
            testedValues.add(Objects.requireNonNull(e.getValue(), () -> "expected value of key \"" + e.getKey() + "\""));
        }
        testedKeys.addAll(testedValues);
        return this.<Long>run(MapScripts.TEST_AND_RESET, ScriptOutputType.INTEGER, "testAndReset", null, true,
                testedKeys.toArray(new String[0])).thenApply(r -> r == 1L);
    }

    /** Empties the map, leaving the destroy tombstone; runs even after the map closed. */
    public CompletableFuture<Void> destroy() {
        return this.<byte[]>run(MapScripts.DESTROY, ScriptOutputType.VALUE, "destroy", null, false).thenApply(v -> null);
    }

    /** Completes with whether the map's hash exists in Redis (a destroyed map's tombstone counts). */
    public CompletableFuture<Boolean> exists() {
        return redis.<Long>execute("map " + name + ": exists", c -> c.exists(keys[0])).thenApply(n -> n != null && n > 0);
    }

    private CompletableFuture<List<String>> listOp(LuaScript script, String op, String key, String[] items) {
        validKey(op, key);
        String[] args = listArgs(key, items);
        return this.<byte[]>run(script, ScriptOutputType.VALUE, op, key, true, args)
                .thenApply(v -> ListValues.parse(string(v)));
    }

    private static String[] listArgs(String key, String[] items) {
        Objects.requireNonNull(items, "items");
        String[] args = new String[items.length + 1];
        args[0] = key;
        for (int i = 0; i < items.length; i++) {
            args[i + 1] = Objects.requireNonNull(items[i], "items[" + i + "]");
        }
        return args;
    }

    private <T> CompletableFuture<T> run(LuaScript script, ScriptOutputType output, String op, String key,
            boolean requireOpen, String... args) {
        byte[][] encoded = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            // values, expected values and list items must survive the UTF-8 trip to Redis unchanged
            encoded[i] = bytes(Names.requireWellFormed("map " + name + ": " + op + " argument", args[i]));
        }
        return runEncoded(script, output, op, key, requireOpen, encoded);
    }

    private <T> CompletableFuture<T> runEncoded(LuaScript script, ScriptOutputType output, String op, String key,
            boolean requireOpen, byte[][] args) {
        if (requireOpen && closed.getAsBoolean()) {
            return Futures.failed(new ClosedException("map " + name + " is closed: cannot " + op));
        }
        byte[][] argv = new byte[args.length + 2][];
        argv[0] = ttlMillis;
        argv[1] = ttlMode;
        System.arraycopy(args, 0, argv, 2, args.length);
        PulseEventListener events = redis.events();
        long start = events == PulseEventListener.NONE ? 0 : System.nanoTime();
        CompletableFuture<T> result = script.run(redis, output, keys, argv);
        return result.handle((value, error) -> {
            if (events != PulseEventListener.NONE) {
                events.mapWritten(name, op, System.nanoTime() - start, Futures.failureName(error));
            }
            if (error == null) {
                return value;
            }
            Throwable cause = Futures.unwrap(error);
            // keeps the outcome type (not sent, outcome unknown, closed) callers decide retries on
            throw PulseException.withContext("map " + name + ": " + op + (key == null ? "" : " of key \"" + key + "\"")
                    + " failed: " + cause.getMessage(), cause);
        });
    }

    private void validKey(String op, String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("map " + name + ": key must not be empty in " + op);
        }
        if (key.indexOf('=') >= 0) {
            throw new IllegalArgumentException("map " + name + ": key \"" + key + "\" must not contain '=' in " + op);
        }
        Names.requireWellFormed("map " + name + ": " + op + " key", key);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
