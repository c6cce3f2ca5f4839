package io.pulse.streaming;

import io.pulse.core.internal.LuaScript;

/** The Lua scripts of streams and sinks, loaded once from {@code src-lua/streaming/} in the jar. */
final class StreamScripts {

    static final LuaScript ADD_WITH_TTL = load("add_with_ttl");
    static final LuaScript APPLY_TTL = load("apply_ttl");
    static final LuaScript TRIM = load("trim");
    static final LuaScript STALE_LEASE = load("stale_lease");

    private StreamScripts() {
    }

    private static LuaScript load(String name) {
        return LuaScript.load("/io/pulse/streaming/lua/" + name + ".lua");
    }
}
