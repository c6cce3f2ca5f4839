package io.pulse.admin.web;

import io.pulse.admin.PoolReport;
import io.pulse.admin.StreamReport;
import io.pulse.admin.Summaries;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the dashboard shows at one moment: every pool and user stream in detail, every map in one line,
 * and the recent history of each sink's lag and each pool's backlog. Immutable.
 *
 * @param history series name ({@code sink <stream>/<sink>} or {@code pool <pool>}) to samples of
 *     {@code [epoch ms, value]}, oldest first
 * @param complete false when discovery stopped at its scan budget
 * @param error the last sampling error, null when the last sample succeeded
 */
public record Overview(Instant at, long workerTtlMs, List<PoolReport> pools, List<StreamReport> streams,
        List<Summaries.Map> maps, Map<String, List<long[]>> history, boolean complete, String error) {
}
