package io.pulse.admin;

import java.util.List;

/**
 * What one pass of {@code SCAN} over a Redis found: the pools, the streams users write to and the maps
 * users keep (each sorted by name). Pools' own maps and streams and the sinks' bookkeeping maps are
 * not listed under streams and maps; they are shown inside their pool or stream. Immutable.
 *
 * @param complete false when the pass stopped at the scan budget before covering the whole keyspace
 */
public record Catalog(List<String> pools, List<String> streams, List<String> maps, boolean complete) {
}
