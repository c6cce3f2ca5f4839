package io.pulse.admin.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A table for people: a header row and rows, columns left-aligned and separated by two spaces,
 * trailing blanks trimmed. Not thread-safe; build, then {@link #print}.
 */
final class Table {

    private final List<String[]> rows = new ArrayList<>();
    private final int width;

    Table(String... header) {
        this.width = header.length;
        rows.add(header);
    }

    Table row(Object... cells) {
        if (cells.length != width) {
            throw new IllegalArgumentException("row of " + cells.length + " cells in a table of " + width + " columns");
        }
        rows.add(Arrays.stream(cells).map(c -> c == null ? "-" : String.valueOf(c)).toArray(String[]::new));
        return this;
    }

    boolean isEmpty() {
        return rows.size() == 1;
    }

    void print(PrintWriter out) {
        int[] widths = new int[width];
        for (String[] row : rows) {
            for (int i = 0; i < width; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < width; i++) {
                line.append(row[i]);
                if (i < width - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
