package dev.mkto.server.bulk;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes an export file row by row into chunks of about 1 MB, split on row boundaries, with its
 * size and SHA-256. Fields are quoted as RFC 4180 asks (when they hold the separator, a quote, CR
 * or LF; quotes doubled) for CSV, TSV and SSV alike. UTF-8, CRLF line ends.
 */
final class ExportFile {

    /** Receives each finished chunk: its number, first byte offset and bytes. */
    interface Sink {
        void chunk(int seq, long start, byte[] data);
    }

    static final int CHUNK = 1024 * 1024 - 64 * 1024;

    private final char separator;
    private final Sink sink;
    private final MessageDigest sha;
    private final StringBuilder pending = new StringBuilder();
    private int pendingBytes;
    private int seq;
    private long written;
    private long rows;

    ExportFile(String format, Sink sink) {
        this.separator = switch (format) {
            case "TSV" -> '\t';
            case "SSV" -> ';';
            default -> ',';
        };
        this.sink = sink;
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void header(List<String> names) {
        line(names);
    }

    void row(List<String> values) {
        line(values);
        rows++;
    }

    private void line(List<String> values) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                line.append(separator);
            }
            line.append(quote(values.get(i)));
        }
        line.append("\r\n");
        String text = line.toString();
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (pendingBytes > 0 && pendingBytes + bytes > CHUNK) {
            flush();
        }
        pending.append(text);
        pendingBytes += bytes;
    }

    /** Writes what remains; returns [rows, bytes]. */
    long[] finish() {
        if (pendingBytes > 0) {
            flush();
        }
        return new long[] {rows, written};
    }

    String checksum() {
        return HexFormat.of().formatHex(sha.digest());
    }

    private void flush() {
        byte[] data = pending.toString().getBytes(StandardCharsets.UTF_8);
        sha.update(data);
        sink.chunk(seq++, written, data);
        written += data.length;
        pending.setLength(0);
        pendingBytes = 0;
    }

    private String quote(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        boolean needs = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == separator || c == '"' || c == '\r' || c == '\n') {
                needs = true;
                break;
            }
        }
        return needs ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }
}
