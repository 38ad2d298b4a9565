package dev.mkto.server.admin;

import dev.mkto.server.http.AdminException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Optional fields of a JSON object sent to the admin API, the User Management API or a seed:
 * absent or null is {@code null}; a value of the wrong type is a 400 naming the field.
 */
final class BodyFields {

    private BodyFields() {
    }

    static String text(JsonNode node, String name) {
        return text(node, name, name);
    }

    /** The string at {@code name}; {@code label} is how the message names it (e.g. {@code roles[].role}). */
    static String text(JsonNode node, String name, String label) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw AdminException.invalid(label + " must be a string");
        }
        return v.asString();
    }

    static Boolean bool(JsonNode node, String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw AdminException.invalid(name + " must be true or false");
        }
        return v.asBoolean();
    }

    static Integer integer(JsonNode node, String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw AdminException.invalid(name + " must be an integer");
        }
        return v.asInt();
    }

    static List<String> strings(JsonNode node, String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw AdminException.invalid(name + " must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isString()) {
                throw AdminException.invalid(name + " must be an array of strings");
            }
            out.add(item.asString());
        }
        return out;
    }
}
