package dev.mkto.server.http;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.json.JsonMapper;

/** The server's one JSON mapper: properties in declaration order, unknown request keys ignored. */
public final class Json {

    public static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
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
}
