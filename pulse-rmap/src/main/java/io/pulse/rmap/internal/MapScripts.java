package io.pulse.rmap;

import io.pulse.core.internal.LuaScript;

/** The Lua scripts of replicated maps, loaded once from {@code src-lua/rmap/} inside the jar. */
final class MapScripts {

    static final LuaScript SET = load("set");
    static final LuaScript SET_IF_ABSENT = load("set_if_absent");
    static final LuaScript TEST_AND_SET = load("test_and_set");
    static final LuaScript INC = load("inc");
    static final LuaScript APPEND = load("append");
    static final LuaScript APPEND_UNIQUE = load("append_unique");
    static final LuaScript REMOVE = load("remove");
    static final LuaScript DELETE = load("delete");
    static final LuaScript TEST_AND_DELETE = load("test_and_delete");
    static final LuaScript RESET = load("reset");
    static final LuaScript DESTROY = load("destroy");
    static final LuaScript TEST_AND_RESET = load("test_and_reset");

    private MapScripts() {
    }

    private static LuaScript load(String name) {
        return LuaScript.load("/io/pulse/rmap/lua/" + name + ".lua");
    }
}
