package dev.mkto.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * One answer of the REST API read the way Marketo means it: {@code success} decides, not the HTTP
 * status (errors come as 200). Answers without the envelope (HTTP 413/414/5xx, the User
 * Management API, a host that is not Marketo) are mapped onto the same shape.
 */
record Envelope(int httpStatus, boolean success, List<MarketoError> errors, List<MarketoError> warnings,
                @Nullable String requestId, JsonNode result, @Nullable String nextPageToken, boolean moreResult) {

    private static final JsonNode EMPTY = JsonNodeFactory.instance.arrayNode();

    static Envelope read(int status, @Nullable String contentType, byte[] body) {
        Optional<JsonNode> parsed = Json.parse(body);
        if (parsed.isEmpty() || !(parsed.get().isObject() || parsed.get().isArray())) {
            return failure(status, status >= 200 && status < 300
                    ? new MarketoError("invalid_response", "HTTP " + status + " with a body that is not JSON"
                        + (contentType == null ? "" : " (" + contentType + ")") + ": not an answer of Marketo's REST API")
                    : new MarketoError(String.valueOf(status), httpReason(status)));
        }
        JsonNode json = parsed.get();
        if (json.isObject() && json.has("success")) {
            boolean success = Json.bool(json, "success", false);
            List<MarketoError> errors = messages(json.get("errors"));
            if (!success && errors.isEmpty()) {
                errors = List.of(new MarketoError(String.valueOf(status), "success=false without errors"));
            }
            JsonNode result = json.has("result") && json.get("result").isArray() ? json.get("result") : EMPTY;
            return new Envelope(status, success, errors, messages(json.get("warnings")), Json.text(json, "requestId"), result,
                    Json.text(json, "nextPageToken"), Json.bool(json, "moreResult", false));
        }
        // no envelope: the User Management API (errors by HTTP status) or another JSON answer
        boolean ok = status >= 200 && status < 300;
        List<MarketoError> errors = json.isObject() ? messages(json.get("errors")) : List.of();
        if (!ok && errors.isEmpty()) {
            errors = List.of(new MarketoError(String.valueOf(status), httpReason(status)));
        }
        JsonNode result = json.isArray() ? json : JsonNodeFactory.instance.arrayNode().add(json);
        return new Envelope(status, ok, ok ? List.of() : errors, List.of(), null, ok ? result : EMPTY, null, false);
    }

    static Envelope failure(int status, MarketoError error) {
        return new Envelope(status, false, List.of(error), List.of(), null, EMPTY, null, false);
    }

    /** The code of the first error, or empty on success. */
    String code() {
        return errors.isEmpty() ? "" : errors.get(0).code();
    }

    private static List<MarketoError> messages(@Nullable JsonNode node) {
        List<MarketoError> out = new ArrayList<>();
        if (node == null || !node.isArray()) {
            return out;
        }
        for (JsonNode item : node) {
            if (item.isObject()) {
                out.add(new MarketoError(Json.text(item, "code", ""), Json.text(item, "message", "")));
            } else if (item.isValueNode()) {
                out.add(new MarketoError("", item.asString()));
            }
        }
        return out;
    }

    static String httpReason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found (no such path on this host: check the endpoint)";
            case 405 -> "Method Not Allowed";
            case 413 -> "Request Entity Too Large";
            case 414 -> "Request-URI Too Long";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "HTTP " + status;
        };
    }
}
