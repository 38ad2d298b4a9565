package dev.mkto.server.objects;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.MktoServer;
import dev.mkto.server.config.ServerConfig;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two servers on one PostgreSQL: a custom object type approved, or changed, through one is served
 * by the other within a second, although the other had already cached the types it knew.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CustomObjectTypesAcrossServersTest {

    private static final String ADMIN = "objects-admin-token-0123";

    private Backend.Database db;
    private final List<MktoServer> servers = new ArrayList<>();
    private Api first;
    private Api second;
    private String token;

    @BeforeAll
    void start() throws Exception {
        Backend.requirePostgres();
        db = Backend.postgresSchema(Backend.postgresHost(), Backend.postgresPort());
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Map<String, String> env = Map.of("MKTO_ADMIN_TOKEN", ADMIN, "MKTO_SECRET_KEY", Base64.getEncoder().encodeToString(key));
        for (int i = 0; i < 2; i++) {
            Path data = Files.createTempDirectory("mkto-objects-" + i);
            servers.add(MktoServer.start(ServerConfig.parse(new String[] {"--port", "0", "--data-dir", data.toString(), "--db-url", db.url(),
                    "--db-user", db.user()}, env), InstantSource.system()));
        }
        first = new Api(servers.get(0).baseUrl());
        second = new Api(servers.get(1).baseUrl());
        first.post("/admin/api/v1/roles", ADMIN, Map.of("name", "objects", "permissions", List.of("Access API")));
        first.post("/admin/api/v1/users", ADMIN, Map.of("email", "objects@example.com", "apiOnly", true,
                "roles", List.of(Map.of("role", "objects", "workspace", "Default"))));
        Api.Response svc = first.post("/admin/api/v1/services", ADMIN, Map.of("name", "objects", "user", "objects@example.com"));
        Api.Response t = first.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + svc.json().path("clientId").asString()
                + "&client_secret=" + svc.json().path("clientSecret").asString(), null);
        token = t.json().path("access_token").asString();
    }

    @AfterAll
    void stop() {
        servers.forEach(MktoServer::close);
        if (db != null) {
            db.drop().run();
        }
    }

    @Test
    void typeWhenApprovedOrChangedOnOneServerThenTheOtherServesItWithinASecond() throws Exception {
        String records = "/rest/v1/customobjects/vehicle.json";
        assertThat(second.post(records, token, Map.of("input", List.of(Map.of("vin", "V1")))).errorCode()).isEqualTo("1013");

        String schema = "/rest/v1/customobjects/schema";
        assertThat(first.post(schema + ".json", token, Map.of("apiName", "vehicle", "displayName", "Vehicle")).success()).isTrue();
        assertThat(first.post(schema + "/vehicle/addField.json", token, Map.of("input", List.of(
                Map.of("name", "vin", "displayName", "VIN", "dataType", "string", "isDedupeField", true)))).success()).isTrue();
        assertThat(first.post(schema + "/vehicle/approve.json", token, Map.of()).success()).isTrue();
        Api.Response created = eventually(() -> second.post(records, token, Map.of("input", List.of(Map.of("vin", "V1")))), Api.Response::success);
        assertThat(created.result().get(0).path("status").asString()).isEqualTo("created");

        assertThat(first.post(schema + "/vehicle/addField.json", token, Map.of("input", List.of(
                Map.of("name", "colour", "displayName", "Colour", "dataType", "string")))).success()).isTrue();
        assertThat(first.post(schema + "/vehicle/approve.json", token, Map.of()).success()).isTrue();
        Api.Response updated = eventually(() -> second.post(records, token, Map.of("input", List.of(Map.of("vin", "V1", "colour", "red")))),
                r -> r.success() && r.result().get(0).path("status").asString().equals("updated"));
        assertThat(updated.result().get(0).path("marketoGUID").asString()).isEqualTo(created.result().get(0).path("marketoGUID").asString());
    }

    private static Api.Response eventually(java.util.function.Supplier<Api.Response> call, Predicate<Api.Response> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        Api.Response r = call.get();
        while (!done.test(r) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            r = call.get();
        }
        assertThat(done.test(r)).as(r.text()).isTrue();
        return r;
    }
}
