package io.pulse.core.internal;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One Lua script shipped as a classpath resource, run with {@code EVALSHA} and re-sent with
 * {@code EVAL} when Redis answers {@code NOSCRIPT} (Redis forgets its script cache when it restarts or
 * on {@code SCRIPT FLUSH}). Immutable and thread-safe.
 *
 * <p>A script that publishes (with {@code redis.call('PUBLISH', ...)}) has a second text with
 * {@code SPUBLISH} in its place, which it runs on a facade whose layout asks for sharded pub/sub
 * ({@link io.pulse.core.KeyLayout#shardedPubSub()}): in a Redis Cluster, a sharded message is fanned
 * out by the shard of its channel only, and a script may only touch its own slot.
 */
public final class LuaScript {

    private static final String PUBLISH = "redis.call('PUBLISH', ";
    private static final String SPUBLISH = "redis.call('SPUBLISH', ";

    private final String name;
    private final byte[] source;
    private final String sha1;
    private final byte[] shardedSource;
    private final String shardedSha1;

    private LuaScript(String name, byte[] source) {
        this.name = name;
        this.source = source;
        this.sha1 = sha1Hex(source);
        String text = new String(source, StandardCharsets.UTF_8);
        this.shardedSource = text.contains(PUBLISH)
                ? text.replace(PUBLISH, SPUBLISH).getBytes(StandardCharsets.UTF_8) : source;
        this.shardedSha1 = shardedSource == source ? sha1 : sha1Hex(shardedSource);
    }

    /**
     * Loads the script at {@code resource} (an absolute classpath path such as
     * {@code /io/pulse/rmap/lua/set.lua}), composed with {@code libraries}: their sources come first,
     * in the order given, so the script can call the local functions they define (line numbers in
     * Redis's error messages count the libraries' lines too). Redis knows the composed text by its
     * SHA-1.
     *
     * @throws IllegalStateException if a resource is missing (a packaging error)
     */
    public static LuaScript load(String resource, String... libraries) {
        Objects.requireNonNull(resource, "resource");
        ByteArrayOutputStream composed = new ByteArrayOutputStream();
        for (String library : libraries) {
            composed.writeBytes(read(Objects.requireNonNull(library, "library")));
            composed.write('\n');
        }
        composed.writeBytes(read(resource));
        String file = resource.substring(resource.lastIndexOf('/') + 1);
        String name = file.endsWith(".lua") ? file.substring(0, file.length() - 4) : file;
        return new LuaScript(name, composed.toByteArray());
    }

    private static byte[] read(String resource) {
        try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Lua script not found on the classpath: " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read Lua script " + resource, e);
        }
    }

    /** The script's file name without {@code .lua}. */
    public String name() {
        return name;
    }

    /** The lowercase hex SHA-1 Redis knows the script by. */
    public String sha1() {
        return sha1;
    }

    /** The script's source text. */
    public String source() {
        return new String(source, StandardCharsets.UTF_8);
    }

    /**
     * Runs the script; never blocks. The result type follows {@code output} (for
     * {@link ScriptOutputType#MULTI}, a list of {@code byte[]} and {@code Long}).
     */
    public <T> CompletableFuture<T> run(RedisFacade redis, ScriptOutputType output, byte[][] keys, byte[]... args) {
        String what = "run script " + name;
        boolean sharded = redis.layout().shardedPubSub();
        String digest = sharded ? shardedSha1 : sha1;
        byte[] text = sharded ? shardedSource : source;
        CompletableFuture<T> first = redis.execute(what, c -> c.evalsha(digest, output, keys, args));
        return first.exceptionallyCompose(error -> {
            if (isNoScript(error)) {
                return redis.execute(what, c -> c.eval(text, output, keys, args));
            }
            return Futures.failed(Futures.unwrap(error));
        });
    }

    private static boolean isNoScript(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof RedisNoScriptException
                    || (t.getMessage() != null && t.getMessage().startsWith("NOSCRIPT"))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static String sha1Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }
}
