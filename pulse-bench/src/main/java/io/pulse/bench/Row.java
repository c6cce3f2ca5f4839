package io.pulse.bench;

import java.util.Locale;

/**
 * One line of the printed table: what is measured, the Pulse figure, the baseline figure from the
 * same run, their ratio, the goal and whether it was met.
 */
record Row(String name, String pulse, String baseline, String ratio, String goal, String met) {

    /** A row whose Pulse figure should be at most {@code limit} times the baseline. */
    static Row lowerIsBetter(String name, double pulse, double baseline, String format, double limit) {
        double ratio = pulse / baseline;
        return new Row(name, fmt(format, pulse), fmt(format, baseline), fmt("%.2f", ratio),
                fmt("ratio <= %.1f", limit), ratio <= limit ? "yes" : "**no**");
    }

    /** A row whose Pulse figure should be at least {@code limit} times the baseline. */
    static Row higherIsBetter(String name, double pulse, double baseline, String format, double limit) {
        double ratio = pulse / baseline;
        String goal = limit == Math.rint(limit * 10) / 10 ? fmt("ratio >= %.1f", limit) : fmt("ratio >= %.2f", limit);
        return new Row(name, fmt(format, pulse), fmt(format, baseline), fmt("%.2f", ratio), goal,
                ratio >= limit ? "yes" : "**no**");
    }

    /** A row without a goal that still shows the ratio. */
    static Row info(String name, double pulse, double baseline, String format) {
        return new Row(name, fmt(format, pulse), fmt(format, baseline), fmt("%.2f", pulse / baseline),
                "(info)", "");
    }

    /** A row of free text without a goal. */
    static Row text(String name, String pulse, String baseline) {
        return new Row(name, pulse, baseline, "", "(info)", "");
    }

    /** The same row with other cell texts for the two figures. */
    Row withCells(String pulseCell, String baselineCell) {
        return new Row(name, pulseCell, baselineCell, ratio, goal, met);
    }

    String markdown() {
        return "| " + name + " | " + pulse + " | " + baseline + " | " + ratio + " | " + goal + " | " + met + " |";
    }

    static String fmt(String format, double value) {
        return String.format(Locale.ROOT, format, value);
    }
}
