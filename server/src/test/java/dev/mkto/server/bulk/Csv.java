package dev.mkto.server.bulk;

import java.util.ArrayList;
import java.util.List;

/** A strict RFC 4180 reader for checking export files (quoted fields, doubled quotes, CRLF rows). */
final class Csv {

    private Csv() {
    }

    static List<List<String>> parse(String text, char separator) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                if (field.length() > 0) {
                    throw new IllegalArgumentException("quote inside an unquoted field at " + i);
                }
                quoted = true;
                wasQuoted = true;
            } else if (c == separator) {
                row.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
            } else if (c == '\r') {
                if (i + 1 >= text.length() || text.charAt(i + 1) != '\n') {
                    throw new IllegalArgumentException("CR without LF at " + i);
                }
                i++;
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
                wasQuoted = false;
            } else if (c == '\n') {
                throw new IllegalArgumentException("LF without CR at " + i);
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quote");
        }
        if (field.length() > 0 || wasQuoted || !row.isEmpty()) {
            throw new IllegalArgumentException("the last row does not end with CRLF");
        }
        return rows;
    }
}
