package io.pulse.pool;

import io.pulse.core.internal.LuaScript;

/** The Lua scripts of pools, loaded once from {@code src-lua/pool/} inside the jar. */
final class PoolScripts {

    static final LuaScript CLAIM_DISPATCH = load("claim_dispatch");
    static final LuaScript RELEASE_DISPATCH = load("release_dispatch");
    static final LuaScript TRIM_POOL = load("trim_pool");
    static final LuaScript MARK_REMOVING = load("mark_removing");
    static final LuaScript INCARNATION = load("incarnation");

    private PoolScripts() {
    }

    private static LuaScript load(String name) {
        return LuaScript.load("/io/pulse/pool/lua/" + name + ".lua");
    }
}
