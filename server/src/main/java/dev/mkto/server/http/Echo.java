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
        String clean = value.codePoints().filter(c -> c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return clean.codePointCount(0, clean.length()) > MAX ? clean.substring(0, clean.offsetByCodePoints(0, MAX - 1)) + "…" : clean;
    }
}
