package dev.mkto.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** JSON for {@code --json} and for the files mkto keeps: one mapper, maps and lists in, text out. */
public final class Output {

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final JsonMapper COMPACT = JsonMapper.builder().build();

    private Output() {
    }

    /** Prints one JSON document on standard output. */
    public static void json(Context ctx, Object value) {
        ctx.out().println(JSON.writeValueAsString(value));
    }

    /** Indented JSON text. */
    public static String pretty(Object value) {
        return JSON.writeValueAsString(value);
    }

    /** One-line JSON text. */
    public static String compact(Object value) {
        return COMPACT.writeValueAsString(value);
    }

    /** Parses JSON text; a {@link CliException} (bad input) naming {@code what} when it is not JSON. */
    public static JsonNode parse(String text, String what) {
        try {
            return COMPACT.readTree(text);
        } catch (JacksonException e) {
            throw CliException.usage(what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** Parses JSON bytes, or empty-handed {@code null} when they are not JSON. */
    public static @Nullable JsonNode tryParse(byte[] bytes) {
        try {
            return COMPACT.readTree(bytes);
        } catch (JacksonException e) {
            return null;
        }
    }

    /** A JSON node as plain Java values (maps, lists, strings, numbers, booleans, null). */
    public static @Nullable Object plain(JsonNode node) {
        return COMPACT.convertValue(node, Object.class);
    }

    /** An ordered map from alternating keys and values, nulls allowed (for JSON output). */
    public static Map<String, @Nullable Object> map(@Nullable Object... keysAndValues) {
        Map<String, @Nullable Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(String.valueOf(keysAndValues[i]), keysAndValues[i + 1]);
        }
        return m;
    }
}
