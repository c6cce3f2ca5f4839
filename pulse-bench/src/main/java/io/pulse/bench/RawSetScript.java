package io.pulse.bench;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.pulse.rmap.internal.MapScripts;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The raw-Lettuce baseline's write: the very {@code set.lua} that {@code ReplicatedMap.set} runs
 * (read from the pulse-rmap jar, where it ships from {@code src-lua/rmap/}, composed with the map
 * write protocol library as Pulse composes it), loaded with
 * {@code SCRIPT LOAD} and called with {@code EVALSHA} on a plain Lettuce connection, with the keys
 * and arguments Pulse passes: {@code map:<name>:content}, {@code map:<name>:updates}, no TTL, key,
 * value. So Redis does exactly the same work (HGET, HSET, HINCRBY, HSET, PUBLISH) for both sides.
 */
final class RawSetScript {

    private static final String RESOURCE = "/io/pulse/rmap/lua/set.lua";

    private final String sha;
    private final String[] keys;

    private RawSetScript(String sha, String mapName) {
        this.sha = sha;
        this.keys = new String[] {contentKey(mapName), channel(mapName)};
    }

    /** Loads the script into Redis through {@code commands} and binds it to the map {@code mapName}. */
    static RawSetScript load(RedisAsyncCommands<String, String> commands, String mapName)
            throws InterruptedException, ExecutionException, TimeoutException {
        String sha = commands.scriptLoad(source()).get(10, TimeUnit.SECONDS);
        return new RawSetScript(sha, mapName);
    }

    /** Runs {@code set key value} on the bound map; the reply is {existed, previous, revision}. */
    RedisFuture<List<Object>> set(RedisAsyncCommands<String, String> commands, String key, String value) {
        return commands.evalsha(sha, ScriptOutputType.MULTI, keys, "0", "absolute", key, value);
    }

    /** The hash a map named {@code mapName} lives in (Go Pulse's layout). */
    static String contentKey(String mapName) {
        return BenchKeys.LAYOUT.mapContentKey(mapName);
    }

    /** The channel a map named {@code mapName} publishes its changes on (Go Pulse's layout). */
    static String channel(String mapName) {
        return BenchKeys.LAYOUT.mapUpdatesChannel(mapName);
    }

    /** The script as Pulse runs it: {@code set.lua} composed with the map write protocol it calls. */
    private static byte[] source() {
        return MapScripts.withWriteProtocol(RESOURCE).source().getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes the value field of a {@code set:} change message, or returns {@code null} for any other. */
    static String valueOfSetMessage(byte[] payload) {
        // set: + (4-byte little-endian length + bytes) for key, value and revision
        if (payload.length < 12 || payload[0] != 's' || payload[1] != 'e' || payload[2] != 't' || payload[3] != ':') {
            return null;
        }
        int keyLength = littleEndianInt(payload, 4);
        int valueAt = 8 + keyLength;
        int valueLength = littleEndianInt(payload, valueAt);
        return new String(payload, valueAt + 4, valueLength, StandardCharsets.UTF_8);
    }

    private static int littleEndianInt(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }
}
