package io.pulse.pool;

import io.pulse.core.internal.LuaScript;
import io.pulse.rmap.internal.MapScripts;

/**
 * The Lua scripts of pools, loaded once from {@code src-lua/pool/} inside the jar. Those that write map
 * entries (dispatch guards, workers marked as leaving, the jobs a worker runs) are composed with the
 * replicated-map write protocol of the rmap module, so every replica applies their writes like any
 * other.
 */
final class PoolScripts {

    static final LuaScript CLAIM_DISPATCH = writingMaps("claim_dispatch");
    static final LuaScript RELEASE_DISPATCH = writingMaps("release_dispatch");
    static final LuaScript TRIM_POOL = load("trim_pool");
    static final LuaScript MARK_REMOVING = writingMaps("mark_removing");
    static final LuaScript RECORD_JOB = writingMaps("record_job");
    static final LuaScript INCARNATION = load("incarnation");

    private PoolScripts() {
    }

    private static LuaScript load(String name) {
        return LuaScript.load(resource(name));
    }

    private static LuaScript writingMaps(String name) {
        return MapScripts.withWriteProtocol(resource(name));
    }

    private static String resource(String name) {
        return "/io/pulse/pool/lua/" + name + ".lua";
    }
}
