package dev.mkto.server.objects;

import dev.mkto.server.http.Echo;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.Json;
import dev.mkto.server.http.MarketoException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Reading request bodies the way the Lead Database API does: a body of the wrong JSON shape is
 * 609, a missing required member 701, more than 300 records 1003.
 */
final class Bodies {

    private Bodies() {
    }

    /** The {@code input} records as maps; an item that is not an object is null (the record is skipped with 1003). */
    static List<Map<String, JsonNode>> records(JsonNode body) {
        List<Map<String, JsonNode>> out = new ArrayList<>();
        for (JsonNode item : Json.input(body)) {
            out.add(item.isObject() ? map(item) : null);
        }
        return out;
    }

    static Map<String, JsonNode> map(JsonNode object) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    /** A string member: absent, null or blank is null; another JSON type is 609. */
    static String text(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        return v.asString().isBlank() ? null : v.asString().strip();
    }

    /** A boolean member: absent or null is null; another JSON type is 609. */
    static Boolean bool(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        return v.asBoolean();
    }

    /** A list of names: a JSON array of strings, or one comma-separated string. */
    static List<String> names(JsonNode body, String name) {
        JsonNode v = body.get(name);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isString()) {
            for (String s : v.asString().split(",")) {
                if (!s.isBlank()) {
                    out.add(s.strip());
                }
            }
            return out;
        }
        if (!v.isArray()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        for (JsonNode item : v) {
            if (!item.isString()) {
                throw MarketoException.of(ErrorCode.INVALID_JSON);
            }
            if (!item.asString().isBlank()) {
                out.add(item.asString().strip());
            }
        }
        return out;
    }

    /** Whether a dedupeBy/deleteBy member asks for the id field; absent means the dedupe fields. */
    static boolean byIdField(JsonNode body, String name) {
        String v = text(body, name);
        if (v == null || v.equals("dedupeFields")) {
            return false;
        }
        if (v.equals("idField")) {
            return true;
        }
        throw new MarketoException(ErrorCode.INVALID_DATA, "Invalid " + name + " '" + Echo.of(v)
                + "'; use dedupeFields or idField");
    }
}
