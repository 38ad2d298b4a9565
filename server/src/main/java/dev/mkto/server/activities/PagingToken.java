package dev.mkto.server.activities;

import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.MarketoException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Activity paging tokens: a position in the activity log — activities dated at or after
 * {@code since}, with an id above {@code afterId} — written, like Marketo's, in base32 text.
 * New activities always get higher ids, so paging returns every activity exactly once even while
 * others are recorded between pages.
 */
record PagingToken(Instant since, long afterId) {

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    String encode() {
        byte[] data = (since.toString() + "," + afterId).getBytes(StandardCharsets.US_ASCII);
        StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
        }
        while (out.length() % 8 != 0) {
            out.append('=');
        }
        return out.toString();
    }

    /** Reads a token; anything that is not one of ours is 1003. */
    static PagingToken decode(String token) {
        String t = token.strip().replace("=", "").toUpperCase(java.util.Locale.ROOT);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (char c : t.toCharArray()) {
            int v = ALPHABET.indexOf(c);
            if (v < 0) {
                throw invalid();
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                bytes.write((buffer >> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
        String text = bytes.toString(StandardCharsets.US_ASCII);
        int comma = text.lastIndexOf(',');
        if (comma < 0) {
            throw invalid();
        }
        try {
            long after = Long.parseLong(text.substring(comma + 1));
            if (after < 0) {
                throw invalid();
            }
            Instant since = Instant.parse(text.substring(0, comma));
            since.toEpochMilli(); // beyond what a timestamp holds: not one of ours
            return new PagingToken(since, after);
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw invalid();
        }
    }

    private static MarketoException invalid() {
        return new MarketoException(ErrorCode.INVALID_DATA, "Invalid nextPageToken");
    }
}
