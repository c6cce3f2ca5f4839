package io.pulse.rmap.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The replicated-map write protocol exists once: every script of the project that writes a map entry
 * (the map's own, the pool's, the operator tools') calls the library instead of publishing, bumping
 * {@code =rev} or recording {@code =kind} itself, so a variant of the protocol (sharded pub/sub, say)
 * changes one file. Scripts playing a Go node in tests are left out: they copy Go on purpose.
 */
class OneWriteProtocolTest {

    private static final Path SCRIPTS = Path.of("..", "src-lua");
    private static final Path LIBRARY = SCRIPTS.resolve("rmap").resolve("lib").resolve("write_protocol.lua");

    @Test
    void onlyTheLibraryPublishesOrBumpsARevision() throws IOException {
        List<Path> scripts;
        try (Stream<Path> files = Files.walk(SCRIPTS)) {
            scripts = files.filter(p -> p.toString().endsWith(".lua"))
                    .filter(p -> !p.startsWith(SCRIPTS.resolve("test")))
                    .filter(p -> !p.equals(LIBRARY)).toList();
        }
        assertThat(scripts).as("scripts found").hasSizeGreaterThan(20);
        for (Path script : scripts) {
            String source = Files.readString(script);
            // reading the reserved fields is fine (claim_dispatch counts entries); writing them is the library's
            assertThat(source).as(script.toString()).doesNotContain("PUBLISH")
                    .doesNotContainPattern("HINCRBY'[^\\n]*'=rev'").doesNotContainPattern("HSET'[^\\n]*'=(rev|kind)'");
        }
        assertThat(Files.readString(LIBRARY)).containsOnlyOnce("redis.call('PUBLISH'");
    }

    @Test
    void everyScriptThatWritesAMapIsComposedWithTheLibrary() throws IOException {
        for (String script : List.of("rmap/set.lua", "rmap/destroy.lua", "pool/claim_dispatch.lua",
                "pool/release_dispatch.lua", "pool/mark_removing.lua", "admin/map_set.lua", "admin/map_delete.lua",
                "admin/delete_dead_node.lua")) {
            assertThat(Files.readString(SCRIPTS.resolve(script))).as(script).containsPattern("rmap_(set|del|clear)\\(");
        }
    }
}
