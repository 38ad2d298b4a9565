package dev.mkto.cli.leads;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads RFC 4180 CSV (comma, double quotes, quoted line breaks, CRLF or LF) byte by byte, so that
 * every record knows the byte offset where it ends: an import resumes at such an offset. Bytes
 * are decoded as UTF-8 field by field (the syntax is ASCII). A record that breaks the syntax, or
 * holds bytes that are not UTF-8 (rather than send them as replacement characters), is returned
 * with {@link Row#error()} set, and reading goes on at the next line. Every byte read can
 * be fed to a digest, which fingerprints the part of the file already imported.
 */
final class CsvReader implements Closeable {

    /** One record: its fields (or why it could not be read), its number and the offset after it. */
    record Row(List<String> fields, long row, long end, byte[] raw, @Nullable String error) {
        /** The record as it was in the file, without its line break. */
        String original() {
            return new String(raw, StandardCharsets.UTF_8).replaceAll("\\r?\\n$", "");
        }
    }

    private final InputStream in;
    private final @Nullable MessageDigest digest;
    private long offset;
    private long row;
    private int peeked = -2;
    private boolean notUtf8;
    private final java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();

    /** @param offset where {@code in} starts in the file; @param row the number of the last record before it (0 at the start) */
    CsvReader(InputStream in, long offset, long row, @Nullable MessageDigest digest) {
        this.in = in;
        this.offset = offset;
        this.row = row;
        this.digest = digest;
    }

    long offset() {
        return offset;
    }

    /** The number of the last record read (the header is 1). */
    long row() {
        return row;
    }

    /** The next record, or null at the end of the file. Blank lines are skipped and not numbered. */
    @Nullable Row next() throws IOException {
        while (true) {
            int first = peek();
            if (first == -1) {
                return null;
            }
            if (first == '\n' || first == '\r') {
                ByteArrayOutputStream skipped = new ByteArrayOutputStream();
                readLineBreak(skipped);
                continue;
            }
            if (offset == 0 && first == 0xEF) {
                skipBom();
                continue;
            }
            return record();
        }
    }

    private Row record() throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream(128);
        ByteArrayOutputStream field = new ByteArrayOutputStream(32);
        List<String> fields = new ArrayList<>();
        String error = null;
        boolean quoted = false;
        boolean afterQuote = false;
        boolean fieldStart = true;
        notUtf8 = false;
        while (true) {
            int c = read(raw);
            if (c == -1) {
                if (quoted) {
                    error = "a quoted field is not closed before the end of the file";
                }
                fields.add(decode(field));
                break;
            }
            if (quoted) {
                if (c == '"') {
                    if (peek() == '"') {
                        read(raw);
                        field.write('"');
                    } else {
                        quoted = false;
                        afterQuote = true;
                    }
                } else {
                    field.write(c);
                }
                continue;
            }
            if (c == ',') {
                fields.add(decode(field));
                field.reset();
                fieldStart = true;
                afterQuote = false;
                continue;
            }
            if (c == '\n' || c == '\r') {
                if (c == '\r' && peek() == '\n') {
                    read(raw);
                }
                fields.add(decode(field));
                break;
            }
            if (afterQuote) {
                error = "text follows a closing quote";
                skipLine(raw);
                fields.add(decode(field));
                break;
            }
            if (c == '"' && fieldStart) {
                quoted = true;
                fieldStart = false;
                continue;
            }
            fieldStart = false;
            field.write(c);
        }
        if (error == null && notUtf8) {
            error = "the text is not UTF-8 (Latin-1 or Windows-1252?): save the file as UTF-8 (iconv -f WINDOWS-1252 -t UTF-8)";
        }
        row++;
        return new Row(List.copyOf(fields), row, offset, raw.toByteArray(), error);
    }

    private void skipLine(ByteArrayOutputStream raw) throws IOException {
        while (true) {
            int c = read(raw);
            if (c == -1 || c == '\n') {
                return;
            }
            if (c == '\r') {
                if (peek() == '\n') {
                    read(raw);
                }
                return;
            }
        }
    }

    private void readLineBreak(ByteArrayOutputStream sink) throws IOException {
        int c = read(sink);
        if (c == '\r' && peek() == '\n') {
            read(sink);
        }
    }

    private void skipBom() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        read(sink);
        if (peek() == 0xBB) {
            read(sink);
            if (peek() == 0xBF) {
                read(sink);
            }
        }
    }

    /** The field's text; bytes that are not UTF-8 mark the record (rather than reach Marketo as U+FFFD). */
    private String decode(ByteArrayOutputStream field) {
        try {
            return utf8.decode(java.nio.ByteBuffer.wrap(field.toByteArray())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            notUtf8 = true;
            return field.toString(StandardCharsets.UTF_8);
        }
    }

    private int peek() throws IOException {
        if (peeked == -2) {
            peeked = in.read();
        }
        return peeked;
    }

    private int read(ByteArrayOutputStream raw) throws IOException {
        int c = peek();
        peeked = -2;
        if (c != -1) {
            offset++;
            raw.write(c);
            if (digest != null) {
                digest.update((byte) c);
            }
        }
        return c;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
