package dev.mkto.server.http;

import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The server's one JSON mapper: properties in declaration order, unknown request keys ignored, a
 * key given twice in one object refused (which of the two was meant cannot be known).
 */
public final class Json {

    public static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {
    }

    public static byte[] write(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }

    /** Parses a request body; anything that is not one JSON value is a 609. */
    public static JsonNode parse(byte[] body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw MarketoException.of(ErrorCode.INVALID_JSON);
            }
            return node;
        } catch (JacksonException e) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
    }

    private static final String DUPLICATE = "Duplicate Object property";

    /**
     * The key a parse failure found twice in one object, quoted as Jackson quotes it ({@code "name"}),
     * if that was the failure: a key, never a value (values may be secrets).
     */
    public static Optional<String> duplicateKey(JacksonException e) {
        String why = e.getOriginalMessage();
        return why != null && why.startsWith(DUPLICATE) ? Optional.of(Echo.of(why.substring(DUPLICATE.length()).strip())) : Optional.empty();
    }

    /** The most records one Lead Database call takes in {@code input}. */
    public static final int MAX_RECORDS = 300;

    /** A body that must be a JSON object; anything else is 609. */
    public static JsonNode object(JsonNode node) {
        if (!node.isObject()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        return node;
    }

    /** The {@code input} array of a body: blank is 701, not an array 609, more than 300 records 1003. */
    public static JsonNode input(JsonNode body) {
        JsonNode input = object(body).get("input");
        if (input == null || input.isNull() || (input.isArray() && input.isEmpty())) {
            throw MarketoException.of(ErrorCode.BLANK, "input");
        }
        if (!input.isArray()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        if (input.size() > MAX_RECORDS) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "input holds " + input.size() + " records; at most " + MAX_RECORDS
                    + " are allowed");
        }
        return input;
    }

    /** The ids of {@code input}'s records ({@code [{"id": 1}, …]}); 1003 naming the first record without a numeric id. */
    public static java.util.List<Long> ids(JsonNode input) {
        java.util.List<Long> ids = new java.util.ArrayList<>();
        int i = 0;
        for (JsonNode item : input) {
            JsonNode id = item.isObject() ? item.get("id") : null;
            if (id == null || !id.isIntegralNumber() || !id.canConvertToLong()) {
                throw new MarketoException(ErrorCode.INVALID_DATA, "input[" + i + "] needs a numeric 'id'"
                        + (id == null ? "" : ", not " + Echo.of(id.toString())));
            }
            ids.add(id.asLong());
            i++;
        }
        return ids;
    }

    /**
     * Where {@code node} holds the NUL character (U+0000) in a string or a property name, as a
     * path such as {@code .roles[0].name} ({@code ""} for the node itself). PostgreSQL cannot
     * store it in text, so input that reaches the database is refused where it enters.
     */
    public static Optional<String> nulAt(JsonNode node) {
        return nulAt(node, "");
    }

    private static Optional<String> nulAt(JsonNode node, String at) {
        if (node.isString()) {
            return node.asString().indexOf('\0') >= 0 ? Optional.of(at) : Optional.empty();
        }
        if (node.isArray()) {
            int i = 0;
            for (JsonNode item : node) {
                Optional<String> found = nulAt(item, at + "[" + i++ + "]");
                if (found.isPresent()) {
                    return found;
                }
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (e.getKey().indexOf('\0') >= 0) {
                    return Optional.of(at);
                }
                Optional<String> found = nulAt(e.getValue(), at + "." + e.getKey());
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }
}
