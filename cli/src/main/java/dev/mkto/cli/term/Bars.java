package dev.mkto.cli.term;

/** Horizontal bars in Unicode block characters, with eighths of a character for the ends. */
public final class Bars {

    private static final char[] EIGHTHS = {' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'};

    private Bars() {
    }

    /** A bar {@code value / max} of {@code width} characters long (a value above 0 shows at least a sliver). */
    public static String bar(long value, long max, int width) {
        if (value <= 0 || max <= 0) {
            return "";
        }
        long eighths = Math.max(1, Math.round((double) value / max * width * 8));
        StringBuilder b = new StringBuilder("█".repeat((int) (eighths / 8)));
        if (eighths % 8 != 0) {
            b.append(EIGHTHS[(int) (eighths % 8)]);
        }
        return b.toString();
    }
}
