package dev.mkto.server.objects;

import dev.mkto.server.http.Echo;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.MarketoException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How records and per-record outcomes look on the wire, and the paging token. */
final class Records {

    private Records() {
    }

    /** The value of {@code field} of a stored record: ids and timestamps come from the row itself. */
    static Object value(ObjectKind kind, ObjectRepository.Row row, ObjectField field) {
        if (field.name().equals(kind.idField())) {
            return kind.numericId() ? (Object) row.id() : row.guid();
        }
        if (field.system() && field.name().equals("createdAt")) {
            return row.createdAt();
        }
        if (field.system() && field.name().equals("updatedAt")) {
            return row.updatedAt();
        }
        Object v = row.values().get(field.name());
        return v == null ? field.initial() : v;
    }

    /** The record's id field value as the API shows it. */
    static Object id(ObjectKind kind, ObjectRepository.Row row) {
        return kind.numericId() ? (Object) row.id() : row.guid();
    }

    /** A query result: its position in the page, then the requested fields that have a value. */
    static Map<String, Object> render(ObjectKind kind, ObjectRepository.Row row, List<ObjectField> fields, int seq) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", seq);
        for (ObjectField f : fields) {
            Object v = value(kind, row, f);
            if (f.name().equals(kind.idField())) {
                m.put(f.name(), v); // a row id, which an integer field's int range need not hold
            } else if (v != null) {
                m.put(f.name(), f.type().toJson(v));
            }
        }
        return m;
    }

    /** {@code {seq, <idField>: id, status}} */
    static Map<String, Object> status(int seq, ObjectKind kind, Object id, String status) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", seq);
        m.put(kind.idField(), id);
        m.put("status", status);
        return m;
    }

    static Map<String, Object> skipped(int seq, Reason reason) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", seq);
        m.put("status", "skipped");
        m.put("reasons", List.of(Map.of("code", reason.code(), "message", reason.message())));
        return m;
    }

    /** A record-level reason. */
    record Reason(String code, String message) {
        static final Reason INVALID_DATA = new Reason("1003", "Invalid data");
        static final Reason NOT_FOUND = new Reason("1013", "Object not found");
        static final Reason EXISTS = new Reason("1017", "Object already exists");
        static final Reason IN_USE = new Reason("1022", "Object in use");
        static final Reason DUPLICATE = new Reason("1036", "Duplicate object found in input");
        static final Reason LEAD_NOT_FOUND = new Reason("1004", "Lead not found");

        static Reason invalidValue(Object value, String type) {
            return new Reason("1001", "Invalid value '" + Echo.of(String.valueOf(value)) + "'. Required of type '" + type + "'");
        }

        static Reason missing(String field) {
            return new Reason("1002", "Missing value for the required parameter '" + field + "'");
        }

        static Reason unknownField(String field) {
            return new Reason("1006", "Field '" + Echo.of(field) + "' not found");
        }

        static Reason invalid(String message) {
            return new Reason("1003", message);
        }
    }

    static String encodePageToken(long lastId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("obj:" + lastId).getBytes(StandardCharsets.US_ASCII));
    }

    static long decodePageToken(String token) {
        if (token == null || token.isBlank()) {
            return 0;
        }
        try {
            String s = new String(Base64.getUrlDecoder().decode(token.strip()), StandardCharsets.US_ASCII);
            if (s.startsWith("obj:")) {
                long id = Long.parseLong(s.substring(4));
                if (id > 0) {
                    return id;
                }
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw new MarketoException(ErrorCode.INVALID_DATA, "Invalid nextPageToken");
    }

}
