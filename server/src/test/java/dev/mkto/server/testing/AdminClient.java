package dev.mkto.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/** Sets up roles, API-only users and custom services through the admin API, over HTTP. */
public final class AdminClient {

    private static final AtomicInteger SEQ = new AtomicInteger();

    /** A custom service's credentials and ids. */
    public record Service(long id, String clientId, String clientSecret, String userEmail, long userId) {
    }

    private final Api api;
    private final String token;

    AdminClient(Api api, String token) {
        this.api = api;
        this.token = token;
    }

    public Api.Response get(String path) {
        return api.get("/admin/api/v1" + path, token);
    }

    public Api.Response post(String path, Object body) {
        return api.post("/admin/api/v1" + path, token, body);
    }

    public Api.Response patch(String path, Object body) {
        return api.method("PATCH", "/admin/api/v1" + path, token, "application/json", dev.mkto.server.http.Json.MAPPER.writeValueAsString(body));
    }

    public Api.Response delete(String path) {
        return api.method("DELETE", "/admin/api/v1" + path, token, null, null);
    }

    /** POST that must succeed (201), returning the body. */
    public JsonNode create(String path, Object body) {
        Api.Response r = post(path, body);
        assertThat(r.status()).as("POST %s -> %s", path, r.text()).isEqualTo(201);
        return r.json();
    }

    public static String unique(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    public long role(String name, String... permissions) {
        return create("/roles", Map.of("name", name, "permissions", List.of(permissions))).path("id").asLong();
    }

    public long partition(String name) {
        return create("/partitions", Map.of("name", name)).path("id").asLong();
    }

    public long workspace(String name, String... partitions) {
        return create("/workspaces", Map.of("name", name, "partitions", List.of(partitions))).path("id").asLong();
    }

    /** An API-only user holding {@code role} in each of {@code workspaces} (default: Default). */
    public long apiUser(String email, String role, String... workspaces) {
        List<Map<String, String>> roles = new ArrayList<>();
        for (String w : workspaces.length == 0 ? new String[] {"Default"} : workspaces) {
            roles.add(Map.of("role", role, "workspace", w));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("email", email);
        body.put("apiOnly", true);
        body.put("roles", roles);
        return create("/users", body).path("id").asLong();
    }

    public Service service(String name, String userEmail) {
        JsonNode s = create("/services", Map.of("name", name, "user", userEmail));
        long userId = 0;
        for (JsonNode u : get("/users").json()) {
            if (u.path("email").asString().equalsIgnoreCase(userEmail)) {
                userId = u.path("id").asLong();
            }
        }
        return new Service(s.path("id").asLong(), s.path("clientId").asString(), s.path("clientSecret").asString(), userEmail, userId);
    }

    /** A new role with {@code permissions}, an API-only user with it in Default, a service, and its token. */
    public String tokenWith(String... permissions) {
        return token(serviceWith(permissions));
    }

    public Service serviceWith(String... permissions) {
        String role = unique("role");
        role(role, permissions);
        String email = unique("api") + "@example.com";
        apiUser(email, role);
        return service(unique("svc"), email);
    }

    /** A token from the identity endpoint (GET, query parameters). */
    public String token(Service s) {
        Api.Response r = identity(s.clientId(), s.clientSecret());
        assertThat(r.status()).as("identity -> %s", r.text()).isEqualTo(200);
        return r.json().path("access_token").asString();
    }

    public Api.Response identity(String clientId, String clientSecret) {
        return api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + enc(clientId)
                + "&client_secret=" + enc(clientSecret), null);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
