package dev.mkto.server.testing;

import dev.mkto.server.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** A small real-HTTP client for tests: every call goes over the socket to the server under test. */
public final class Api {

    /** A response: status, parsed JSON body (a missing node when empty), raw text, headers. */
    public record Response(int status, JsonNode json, String text, Map<String, java.util.List<String>> headers) {
        /** The Marketo error code of a failed envelope (or User Management error), else null. */
        public String errorCode() {
            JsonNode errors = json.path("errors");
            return errors.isArray() && !errors.isEmpty() ? errors.get(0).path("code").asString() : null;
        }

        public boolean success() {
            return json.path("success").asBoolean(false);
        }

        public JsonNode result() {
            return json.path("result");
        }
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;

    public Api(String base) {
        this.base = base;
    }

    public String base() {
        return base;
    }

    public Response get(String path, String bearer) {
        return send(request(path, bearer).GET());
    }

    public Response post(String path, String bearer, String json) {
        return send(request(path, bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response post(String path, String bearer, Object body) {
        return post(path, bearer, Json.MAPPER.writeValueAsString(body));
    }

    public Response postForm(String path, String bearer, String form) {
        return send(request(path, bearer).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    public Response method(String method, String path, String bearer, String contentType, String body) {
        HttpRequest.Builder b = request(path, bearer);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
    }

    public Response send(HttpRequest.Builder builder) {
        try {
            HttpResponse<byte[]> r = CLIENT.send(builder.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
            String text = new String(r.body(), StandardCharsets.UTF_8);
            JsonNode json;
            try {
                json = text.isEmpty() ? Json.MAPPER.missingNode() : Json.MAPPER.readTree(text);
            } catch (RuntimeException notJson) {
                json = Json.MAPPER.missingNode();
            }
            return new Response(r.statusCode(), json, text, r.headers().map());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpRequest.Builder request(String path, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return b;
    }

    public static ObjectNode object() {
        return Json.MAPPER.createObjectNode();
    }
}
