package io.pulse.rmap.internal;

import io.pulse.core.internal.LuaScript;

/**
 * The Lua scripts that change replicated maps, each composed with the map write protocol
 * ({@code src-lua/rmap/lib/write_protocol.lua}: the hash change, revision bump, last kind and update
 * message in Go Pulse's wire format, with the one {@code PUBLISH} of the project). Other modules'
 * scripts that write map entries (a pool's dispatch guards, the operator tools' map writes) are
 * composed with it too, through {@link #withWriteProtocol}, instead of copying it. Not API.
 */
public final class MapScripts {

    /** Where the write protocol library ships in the pulse-rmap jar. */
    static final String WRITE_PROTOCOL = "/io/pulse/rmap/lua/lib/write_protocol.lua";

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

    /**
     * Loads the script at {@code resource} (an absolute classpath path) composed with the map write
     * protocol, whose functions ({@code rmap_set}, {@code rmap_del}, {@code rmap_clear}, ...) it may call.
     *
     * @throws IllegalStateException if a resource is missing (a packaging error)
     */
    public static LuaScript withWriteProtocol(String resource) {
        return LuaScript.load(resource, WRITE_PROTOCOL);
    }

    private static LuaScript load(String name) {
        return withWriteProtocol("/io/pulse/rmap/lua/" + name + ".lua");
    }
}
