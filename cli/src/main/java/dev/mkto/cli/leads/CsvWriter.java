package dev.mkto.cli.leads;

import java.util.List;

/** CSV lines as RFC 4180 writes them: a field is quoted when it holds a comma, a quote, a line break or edge spaces. */
final class CsvWriter {

    private CsvWriter() {
    }

    static String line(List<String> fields) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(field(fields.get(i)));
        }
        return b.append("\r\n").toString();
    }

    static String field(String value) {
        boolean quote = value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0
                || !value.isEmpty() && (Character.isWhitespace(value.charAt(0)) || Character.isWhitespace(value.charAt(value.length() - 1)));
        return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }
}
