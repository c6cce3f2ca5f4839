package io.pulse.rmap;

import java.util.List;
import java.util.Set;

/**
 * The shapes of the names of the replicated maps Pulse's streams and pools keep their own state in
 * ({@code stream:<s>:sinks}, {@code sink:<s>:keepalive}, {@code <pool>:workers}, ...). A map of the
 * user's that took such a name would overwrite a sink's or pool's state, or be overwritten by it, so
 * only the modules that own those names may join them. Stateless.
 *
 * <p>Those modules sit above this one and join through the public API, so the check looks at the
 * joining class's package: Java gives no other way to let a higher module, and only it, past.
 */
final class ReservedMapNames {

    private static final List<String> POOL_SUFFIXES = List.of(":shutdown", ":node-keepalive", ":workers",
            ":worker-keepalive", ":cleanup", ":jobs", ":job-payloads", ":pending-jobs", ":tickers");
    private static final Set<String> OWNERS = Set.of("io.pulse.streaming", "io.pulse.pool");
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private ReservedMapNames() {
    }

    /** Whether {@code name} has the shape of one of a stream's, sink's or pool's own maps. */
    static boolean isReserved(String name) {
        if (name.startsWith("stream:") && name.endsWith(":sinks")) {
            return true;
        }
        if (name.startsWith("sink:") && name.endsWith(":keepalive")) {
            return true;
        }
        for (String suffix : POOL_SUFFIXES) {
            if (name.endsWith(suffix) && name.length() > suffix.length()) {
                return true;
            }
        }
        return false;
    }

    /**
     * @throws IllegalArgumentException if {@code name} is reserved and the class joining it is not part
     *         of the module that owns such names
     */
    static void requireUsable(String name) {
        if (!isReserved(name) || isOwner(callerPackage())) {
            return;
        }
        throw new IllegalArgumentException("map name \"" + name + "\" has the shape of a name Pulse uses for "
                + "the state of its streams, sinks and pools (stream:<s>:sinks, sink:<s>:keepalive, <pool>:workers, "
                + "...); choose another name");
    }

    /** An owning module's package or one below it. */
    private static boolean isOwner(String pkg) {
        return OWNERS.stream().anyMatch(owner -> pkg.equals(owner) || pkg.startsWith(owner + "."));
    }

    private static String callerPackage() {
        return WALKER.walk(frames -> frames
                .map(StackWalker.StackFrame::getDeclaringClass)
                .filter(c -> !c.getPackageName().equals(ReservedMapNames.class.getPackageName()))
                .findFirst()
                .map(Class::getPackageName)
                .orElse(""));
    }
}
