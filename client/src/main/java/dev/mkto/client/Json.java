package dev.mkto.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The one JSON mapper, and lenient readers for Marketo's answers (numbers may come as strings, fields may be missing). */
final class Json {

    static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Json() {
    }

    /** The parsed body, or empty when it is not JSON. */
    static Optional<JsonNode> parse(byte[] body) {
        if (body.length == 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(MAPPER.readTree(body));
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }

    static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    static @Nullable String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        return v.isValueNode() ? v.asString() : v.toString();
    }

    static String text(JsonNode node, String field, String fallback) {
        String t = text(node, field);
        return t == null ? fallback : t;
    }

    static @Nullable Long number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.asLong();
        }
        if (v.isString()) {
            try {
                return Long.parseLong(v.asString().strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    static long number(JsonNode node, String field, long fallback) {
        Long n = number(node, field);
        return n == null ? fallback : n;
    }

    static boolean bool(JsonNode node, String field, boolean fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        return v.isString() ? Boolean.parseBoolean(v.asString()) : fallback;
    }

    /** A JSON value as plain Java: objects as ordered maps, arrays as lists, numbers as Long or Double. */
    static @Nullable Object plain(@Nullable JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (v.isObject()) {
            Map<String, @Nullable Object> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                m.put(e.getKey(), plain(e.getValue()));
            }
            return m;
        }
        if (v.isArray()) {
            List<@Nullable Object> l = new ArrayList<>();
            for (JsonNode item : v) {
                l.add(plain(item));
            }
            return l;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isIntegralNumber()) {
            return v.canConvertToLong() ? (Object) v.asLong() : v.bigIntegerValue();
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        return v.asString();
    }

    /** An object node as a map of plain values (an empty map for anything else). */
    @SuppressWarnings("unchecked")
    static Map<String, @Nullable Object> object(JsonNode v) {
        Object p = plain(v);
        return p instanceof Map<?, ?> m ? (Map<String, @Nullable Object>) m : Map.of();
    }
}
