package dev.mkto.client.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a Marketo admin does in Users & Roles, LaunchPoint and Web Services, through mkto-server's
 * admin API over HTTP: roles, API-only users, custom services, fields and instance settings.
 */
public final class ServerAdmin {

    /** A custom service's credentials, as LaunchPoint's "View Details" shows them. */
    public record Service(long id, String name, String clientId, String clientSecret, String userEmail, long userId) {
        @Override
        public String toString() {
            return "Service[" + name + ", clientId=" + clientId + ", user=" + userEmail + "]";
        }
    }

    /** An admin API answer. */
    public record Response(int status, JsonNode json, String text) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final String base;
    private final String token;

    public ServerAdmin(String baseUrl, String adminToken) {
        this.base = baseUrl + "/admin/api/v1";
        this.token = adminToken;
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response post(String path, Object body) {
        return send("POST", path, body);
    }

    public Response patch(String path, Object body) {
        return send("PATCH", path, body);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    /** A name no other test uses. */
    public static String unique(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    public long role(String name, String... permissions) {
        return created(post("/roles", Map.of("name", name, "permissions", List.of(permissions)))).path("id").asLong();
    }

    /** An API-only user holding {@code role} in the Default workspace. */
    public long apiUser(String email, String role) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("email", email);
        body.put("apiOnly", true);
        body.put("roles", List.of(Map.of("role", role, "workspace", "Default")));
        return created(post("/users", body)).path("id").asLong();
    }

    public Service service(String name, String userEmail, long userId) {
        JsonNode s = created(post("/services", Map.of("name", name, "user", userEmail)));
        return new Service(s.path("id").asLong(), name, s.path("clientId").asString(), s.path("clientSecret").asString(), userEmail, userId);
    }

    /** A new role with {@code permissions}, an API-only user holding it, and a custom service for that user. */
    public Service serviceWith(String... permissions) {
        String role = unique("role");
        role(role, permissions);
        String email = unique("api") + "@example.com";
        long userId = apiUser(email, role);
        return service(unique("svc"), email, userId);
    }

    /** An API-only user holding {@code role} in {@code workspace}. */
    public long apiUser(String email, String role, String workspace) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("email", email);
        body.put("apiOnly", true);
        body.put("roles", List.of(Map.of("role", role, "workspace", workspace)));
        return created(post("/users", body)).path("id").asLong();
    }

    /** A new role with {@code permissions}, an API-only user holding it in {@code workspace}, and a custom service for that user. */
    public Service serviceIn(String workspace, String... permissions) {
        String role = unique("role");
        role(role, permissions);
        String email = unique("api") + "@example.com";
        long userId = apiUser(email, role, workspace);
        return service(unique("svc"), email, userId);
    }

    /** A lead partition. */
    public long partition(String name) {
        return created(post("/partitions", Map.of("name", name))).path("id").asLong();
    }

    /** A workspace seeing {@code partitions}, the first its primary one. */
    public long workspace(String name, String... partitions) {
        return created(post("/workspaces", Map.of("name", name, "partitions", List.of(partitions)))).path("id").asLong();
    }

    /** A static list in {@code workspace}; its id. */
    public long staticList(String name, String description, String workspace) {
        return created(post("/lists", Map.of("name", name, "description", description, "workspace", workspace))).path("id").asLong();
    }

    /** A smart campaign ({@code batch} or {@code trigger}) in {@code workspace}; its id. */
    public long campaign(String name, String type, String workspace, boolean requestable, boolean active) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("type", type);
        body.put("workspace", workspace);
        body.put("requestable", requestable);
        body.put("active", active);
        return created(post("/campaigns", body)).path("id").asLong();
    }

    /** Changes instance settings, e.g. {@code Map.of("tokenTtlSeconds", 3)}. */
    public JsonNode instance(Map<String, ?> settings) {
        Response r = patch("/instance", settings);
        require(r, 200);
        return r.json();
    }

    /** A custom lead field. */
    public void field(String name, String dataType) {
        created(post("/fields", Map.of("name", name, "displayName", name, "dataType", dataType)));
    }

    public void deactivateUser(long userId) {
        require(patch("/users/" + userId, Map.of("active", false)), 200);
    }

    public void expireUser(long userId, Instant at) {
        require(patch("/users/" + userId, Map.of("expiresAt", at.toString())), 200);
    }

    public void disableService(long serviceId) {
        require(patch("/services/" + serviceId, Map.of("enabled", false)), 200);
    }

    public void deleteService(long serviceId) {
        require(delete("/services/" + serviceId), 204);
    }

    private JsonNode created(Response r) {
        return require(r, 201).json();
    }

    private static Response require(Response r, int status) {
        if (r.status() != status) {
            throw new IllegalStateException("admin API answered " + r.status() + " (expected " + status + "): " + r.text());
        }
        return r;
    }

    private Response send(String method, String path, Object body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token);
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            JsonNode json = r.body().isBlank() ? JSON.missingNode() : parse(r.body());
            return new Response(r.statusCode(), json, r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + base + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (RuntimeException e) {
            return JSON.missingNode();
        }
    }

    /** The lists of a JSON array node. */
    static List<JsonNode> items(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
