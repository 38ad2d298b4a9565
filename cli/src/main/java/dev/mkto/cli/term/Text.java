package dev.mkto.cli.term;

/**
 * Text for a terminal: what a server, a file or a log put in a name is shown, never obeyed, and
 * columns are measured in the cells a terminal gives each character.
 */
public final class Text {

    private Text() {
    }

    /**
     * {@code text} with every control character (C0, DEL, C1: ESC, CSI, BEL, CR, line breaks…) and
     * every bidirectional override or isolate written out as {@code \}{@code uXXXX}, so a name holding
     * an escape sequence cannot move the cursor, retitle the window, clear the screen or reorder
     * what follows it on the line.
     */
    public static String safe(String text) {
        StringBuilder b = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (unsafe(c)) {
                if (b == null) {
                    b = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                b.append(String.format("\\u%04x", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? text : b.toString();
    }

    private static boolean unsafe(char c) {
        return Character.isISOControl(c)
                || c >= '\u202a' && c <= '\u202e' // embeddings and overrides
                || c >= '\u2066' && c <= '\u2069' // isolates
                || c == '\u200e' || c == '\u200f' || c == '\u061c'; // direction marks
    }

    /** The cells {@code text} takes on a terminal: two for East Asian wide characters, none for combining marks. */
    public static int width(String text) {
        int w = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            w += width(cp);
        }
        return w;
    }

    private static int width(int cp) {
        int type = Character.getType(cp);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.FORMAT || cp == 0x200b) {
            return 0;
        }
        if (cp >= 0x1160 && cp <= 0x11ff) { // Hangul medial vowels and final consonants join the syllable before
            return 0;
        }
        return wide(cp) ? 2 : 1;
    }

    /** East Asian Wide and Fullwidth characters, and the emoji presented as wide (after Markus Kuhn's wcwidth). */
    private static boolean wide(int cp) {
        return cp >= 0x1100 && (cp <= 0x115f
                || cp == 0x2329 || cp == 0x232a
                || cp >= 0x2e80 && cp <= 0xa4cf && cp != 0x303f
                || cp >= 0xac00 && cp <= 0xd7a3
                || cp >= 0xf900 && cp <= 0xfaff
                || cp >= 0xfe10 && cp <= 0xfe19
                || cp >= 0xfe30 && cp <= 0xfe6f
                || cp >= 0xff00 && cp <= 0xff60
                || cp >= 0xffe0 && cp <= 0xffe6
                || cp >= 0x1f300 && cp <= 0x1f64f
                || cp >= 0x1f900 && cp <= 0x1f9ff
                || cp >= 0x20000 && cp <= 0x2fffd
                || cp >= 0x30000 && cp <= 0x3fffd);
    }

    /** {@code text} followed by spaces up to {@code cells} cells. */
    public static String padRight(String text, int cells) {
        return text + " ".repeat(Math.max(0, cells - width(text)));
    }

    /** Spaces up to {@code cells} cells, then {@code text}. */
    public static String padLeft(String text, int cells) {
        return " ".repeat(Math.max(0, cells - width(text))) + text;
    }
}
