package dev.mkto.cli.term;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table: a header row, aligned columns (numbers to the right), two spaces between.
 * Cells are shown through {@link Text#safe} (a name holding an escape sequence is printed, not
 * obeyed) and measured in terminal cells (wide CJK characters take two, combining marks none).
 */
public final class Table {

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... headers) {
        this.headers = List.of(headers);
    }

    public Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + headers.size() + " columns");
        }
        rows.add(Arrays.stream(cells).map(c -> c == null ? "" : Text.safe(String.valueOf(c))).toList());
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public void print(PrintStream out) {
        int[] widths = new int[headers.size()];
        boolean[] numeric = new boolean[headers.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = Text.width(headers.get(c));
            numeric[c] = !rows.isEmpty();
            for (List<String> r : rows) {
                widths[c] = Math.max(widths[c], Text.width(r.get(c)));
                numeric[c] &= r.get(c).matches("-?[0-9][0-9,.]*");
            }
        }
        out.println(line(headers, widths, numeric));
        for (List<String> r : rows) {
            out.println(line(r, widths, numeric));
        }
    }

    private static String line(List<String> cells, int[] widths, boolean[] numeric) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            if (c > 0) {
                b.append("  ");
            }
            b.append(numeric[c] ? Text.padLeft(cell, widths[c]) : (c == cells.size() - 1 ? cell : Text.padRight(cell, widths[c])));
        }
        return b.toString();
    }
}
