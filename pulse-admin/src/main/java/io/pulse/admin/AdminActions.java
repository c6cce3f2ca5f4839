package io.pulse.admin;

import static io.pulse.admin.WireFormat.bytes;

import io.lettuce.core.ScriptOutputType;
import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.core.KeyLayout;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.LuaScript;
import io.pulse.core.internal.Names;
import io.pulse.rmap.internal.MapScripts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The few writes the operator tools make, each one Lua script that writes exactly what a Pulse node
 * would (Go Pulse v1.6.5's protocol), and each refusing when the state it was asked about is not
 * there: stop a job, requeue a stuck pool event, delete a dead node's leftovers, set or delete a map
 * key. Blocking (bounded by the facade's sync timeout); thread-safe. Bad arguments throw
 * {@link IllegalArgumentException} or {@link NullPointerException} before any Redis I/O.
 */
public final class AdminActions {

    private static final LuaScript STOP_JOB = LuaScript.load(script("stop_job"));
    private static final LuaScript REQUEUE_EVENT = LuaScript.load(script("requeue_event"));
    // these write map entries: composed with the replicated-map write protocol every node uses
    private static final LuaScript DELETE_DEAD_NODE = MapScripts.withWriteProtocol(script("delete_dead_node"));
    private static final LuaScript MAP_SET = MapScripts.withWriteProtocol(script("map_set"));
    private static final LuaScript MAP_DELETE = MapScripts.withWriteProtocol(script("map_delete"));
    private static final Pattern EVENT_ID = Pattern.compile("\\d+-\\d+");

    private final RedisQueries redis;
    private final AdminNames names;
    private final Inspection settings;

    AdminActions(RedisQueries redis, Inspection settings) {
        this.redis = redis;
        this.names = redis.names();
        this.settings = settings;
    }

    /** Adds a stop event for job {@code key} to the pool stream; refuses a key with no payload. */
    public ActionResult stopJob(String pool, String key) {
        Names.requireValid("pool", pool);
        requireKey("key", key);
        List<Object> result = run(STOP_JOB, "stop job " + key,
                keys(names.poolMapKey(pool, PoolMap.JOB_PAYLOADS), names.poolStreamKey(pool)),
                bytes(key), WireFormat.jobKeyRecord(key));
        long status = (Long) result.get(0);
        if (status == 1) {
            return ActionResult.applied("stop requested for job \"" + key + "\" in pool \"" + pool + "\" (event "
                    + WireFormat.utf8((byte[]) result.get(1)) + ")");
        }
        return ActionResult.refused(status == 0 ? "pool \"" + pool + "\" has no job \"" + key + "\""
                : "pool \"" + pool + "\" has no pool stream: no node ever joined it");
    }

    /**
     * Requeues pool event {@code eventId}, read by a node but unacknowledged for at least
     * {@code minIdle}: a copy goes to the end of the pool stream and the original is acknowledged.
     * If it was not really stuck, its job may start twice.
     */
    public ActionResult requeueEvent(String pool, String eventId, Duration minIdle) {
        Names.requireValid("pool", pool);
        Objects.requireNonNull(eventId, "eventId");
        if (!EVENT_ID.matcher(eventId).matches()) {
            throw new IllegalArgumentException("eventId: not a stream entry id (<ms>-<seq>): \"" + eventId + "\"");
        }
        Objects.requireNonNull(minIdle, "minIdle");
        if (minIdle.isNegative()) {
            throw new IllegalArgumentException("minIdle must not be negative: " + minIdle);
        }
        List<Object> result = run(REQUEUE_EVENT, "requeue event " + eventId,
                keys(names.poolStreamKey(pool)),
                bytes(names.layout().poolSinkName()), bytes(eventId), bytes(Long.toString(minIdle.toMillis())));
        long status = (Long) result.get(0);
        String detail = WireFormat.utf8((byte[]) result.get(1));
        return switch ((int) status) {
            case 1 -> ActionResult.applied("requeued event " + eventId + " of pool \"" + pool + "\" as " + detail);
            case 2 -> ActionResult.refused("event " + eventId + " has been unacknowledged for " + detail
                    + " ms only, less than " + minIdle.toMillis() + " ms: it may still be handled");
            case 3 -> ActionResult.refused("event " + eventId + " was trimmed from the pool stream: nothing to requeue");
            default -> ActionResult.refused("event " + eventId + " is not waiting for an acknowledgement in pool \""
                    + pool + "\"");
        };
    }

    /**
     * Deletes the stream and keep-alive entry of node {@code nodeId}, only if its keep-alive is older
     * than the worker TTL and unchanged while deleting. Its workers' jobs are not touched: live full
     * nodes requeue them.
     */
    public ActionResult deleteDeadNode(String pool, String nodeId) {
        Names.requireValid("pool", pool);
        requireKey("nodeId", nodeId);
        String keepAlives = names.poolMapKey(pool, PoolMap.NODE_KEEPALIVE);
        String seen = redis.hget(keepAlives, nodeId);
        if (seen == null) {
            return ActionResult.refused("pool \"" + pool + "\" has no node \"" + nodeId + "\"");
        }
        Instant keepAlive = WireFormat.parseNanos(seen);
        Duration age = Clocks.age(settings.now(), keepAlive);
        Duration ttl = settings.ttlOf(nodeId, redis.hgetall(names.poolMapKey(pool, PoolMap.KEEPALIVE_TTL)));
        if (Inspection.alive(age, ttl)) {
            return ActionResult.refused("node \"" + nodeId + "\" is alive: its keep-alive is " + age.toMillis()
                    + " ms old, within the worker TTL of " + ttl.toMillis() + " ms");
        }
        KeyLayout layout = names.layout();
        String stream = layout.nodeStream(pool, nodeId);
        String registry = layout.sinkRegistryMap(stream);
        Long deleted = Futures.await(DELETE_DEAD_NODE.<Long>run(redis.facade(), ScriptOutputType.INTEGER,
                keys(keepAlives, names.poolMapChannel(pool, PoolMap.NODE_KEEPALIVE), layout.streamKey(stream),
                        layout.mapContentKey(registry), layout.mapUpdatesChannel(registry)),
                bytes(nodeId), bytes(seen)), redis.facade().syncTimeout(), "delete dead node " + nodeId);
        return deleted != null && deleted == 1
                ? ActionResult.applied("deleted the stream and keep-alive of dead node \"" + nodeId + "\"")
                : ActionResult.refused("node \"" + nodeId + "\" kept alive meanwhile: nothing deleted");
    }

    /** Sets {@code key} of map {@code map}; refuses a map that does not exist unless {@code create}. */
    public ActionResult setMapKey(String map, String key, String value, boolean create) {
        Names.requireValid("map", map);
        requireMapKey(key);
        Objects.requireNonNull(value, "value");
        List<Object> result = run(MAP_SET, "set " + key + " in map " + map,
                keys(names.layout().mapContentKey(map), names.layout().mapUpdatesChannel(map)), bytes(key), bytes(value), bytes(create ? "1" : "0"));
        if ((Long) result.get(0) == 0) {
            return ActionResult.refused("map \"" + map + "\" does not exist (ask to create it to write it anyway)");
        }
        boolean existed = (Long) result.get(3) == 1;
        return ActionResult.applied("set \"" + key + "\" in map \"" + map + "\" (revision "
                + WireFormat.utf8((byte[]) result.get(2)) + (existed
                        ? ", was \"" + WireFormat.utf8((byte[]) result.get(1)) + "\")" : ", new key)"));
    }

    /** Deletes {@code key} of map {@code map}; does nothing when the key is absent. */
    public ActionResult deleteMapKey(String map, String key) {
        Names.requireValid("map", map);
        requireMapKey(key);
        List<Object> result = run(MAP_DELETE, "delete " + key + " in map " + map,
                keys(names.layout().mapContentKey(map), names.layout().mapUpdatesChannel(map)), bytes(key));
        if ((Long) result.get(0) == 0) {
            return ActionResult.refused("map \"" + map + "\" has no key \"" + key + "\"");
        }
        return ActionResult.applied("deleted \"" + key + "\" from map \"" + map + "\" (revision "
                + WireFormat.utf8((byte[]) result.get(2)) + ", was \"" + WireFormat.utf8((byte[]) result.get(1)) + "\")");
    }

    private List<Object> run(LuaScript script, String what, byte[][] keys, byte[]... args) {
        return Futures.await(script.<List<Object>>run(redis.facade(), ScriptOutputType.MULTI, keys, args),
                redis.facade().syncTimeout(), what);
    }

    private static byte[][] keys(String... keys) {
        byte[][] out = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            out[i] = bytes(keys[i]);
        }
        return out;
    }

    private static void requireKey(String what, String key) {
        Objects.requireNonNull(key, what);
        if (key.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
    }

    private static void requireMapKey(String key) {
        requireKey("key", key);
        if (key.indexOf('=') >= 0) {
            throw new IllegalArgumentException("key must not contain '=': \"" + key + "\"");
        }
    }

    private static String script(String name) {
        return WireFormat.SCRIPTS + name + ".lua";
    }
}
