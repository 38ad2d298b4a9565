package dev.mkto.server.http;

/**
 * A caller's value quoted in an error message: without control characters and at most 100
 * characters, so an answer never carries a huge or terminal-mangling echo of what was sent.
 */
public final class Echo {

    private static final int MAX = 100;

    private Echo() {
    }

    public static String of(String value) {
        if (value == null) {
            return "";
        }
        String clean = printable(value);
        return clean.codePointCount(0, clean.length()) > MAX ? clean.substring(0, clean.offsetByCodePoints(0, MAX - 1)) + "…" : clean;
    }

    /** {@code value} without control characters (C0, DEL, C1), at any length: what an error message may carry. */
    public static String printable(String value) {
        return value.codePoints().allMatch(Echo::printable) ? value
                : value.codePoints().filter(Echo::printable).collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                        .toString();
    }

    private static boolean printable(int c) {
        return c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0);
    }
}
