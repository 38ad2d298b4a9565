package dev.mkto.server.usage;

import static dev.mkto.server.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.MktoServer;
import dev.mkto.server.config.ServerConfig;
import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.TcpProxy;
import dev.mkto.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Usage counts at their edges: a flush that fails while the database is away, and calls per API user. */
class UsageAccountingTest {

    private static final String ADMIN = "usage-admin-token-0123";

    /** calls per endpoint, and errors per code, of the given service today, from the admin usage view */
    private static Map<String, Long> today(Api api, long serviceId) {
        Map<String, Long> m = new HashMap<>();
        JsonNode usage = api.get("/admin/api/v1/usage?days=1", ADMIN).json();
        usage.path("calls").forEach(r -> {
            if (r.path("serviceId").asLong() == serviceId) {
                m.merge(r.path("endpoint").asString(), r.path("calls").asLong(), Long::sum);
            }
        });
        usage.path("errors").forEach(r -> {
            if (r.path("serviceId").asLong() == serviceId) {
                m.merge(r.path("errorCode").asString(), r.path("count").asLong(), Long::sum);
            }
        });
        return m;
    }

    @Test
    void usageWhenTheDatabaseIsAwayAtFlushesThenNoCountIsLostOnceItReturns(@TempDir Path dir) throws Exception {
        Backend.requirePostgres();
        try (TcpProxy proxy = new TcpProxy(Backend.postgresHost(), Backend.postgresPort())) {
            Backend.Database db = Backend.postgresSchema("127.0.0.1", proxy.port());
            try (MktoServer server = MktoServer.start(ServerConfig.parse(new String[] {"--port", "0", "--data-dir", dir.toString(),
                    "--db-url", db.url(), "--db-user", db.user()}, Map.of("MKTO_ADMIN_TOKEN", ADMIN)), InstantSource.system())) {
                Api api = new Api(server.baseUrl());
                api.post("/admin/api/v1/roles", ADMIN, Map.of("name", "rw", "permissions", List.of("Read-Write Lead")));
                api.post("/admin/api/v1/users", ADMIN, Map.of("email", "u@example.com", "apiOnly", true,
                        "roles", List.of(Map.of("role", "rw", "workspace", "Default"))));
                JsonNode svc = api.post("/admin/api/v1/services", ADMIN, Map.of("name", "u", "user", "u@example.com")).json();
                String token = api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + svc.path("clientId").asString()
                        + "&client_secret=" + svc.path("clientSecret").asString(), null).json().path("access_token").asString();
                String path = "/rest/v1/leads.json?filterType=email&filterValues=someone@example.com";
                for (int i = 0; i < 5; i++) {
                    assertThat(api.get(path, token).success()).isTrue();
                }
                proxy.down();
                int unavailable = 0;
                for (int i = 0; i < 3; i++) {
                    if ("608".equals(api.get(path, token).errorCode())) {
                        unavailable++;
                    }
                }
                Thread.sleep(4_500); // two flushes fail
                proxy.up();
                eventually(Duration.ofSeconds(30), () -> api.get("/admin/api/v1/usage?days=1", ADMIN).status() == 200, "usage is readable again");
                Map<String, Long> today = today(api, svc.path("id").asLong());
                assertThat(today.get("GET /rest/v1/leads.json")).as(today.toString()).isEqualTo(5 + 3 - unavailable);
                assertThat(today.getOrDefault("608", 0L)).as(today.toString()).isEqualTo(unavailable);
            } finally {
                db.drop().run();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void usageWhenAServiceIsMovedToAnotherUserThenEachUserKeepsItsOwnCalls(Backend backend) {
        try (TestServer server = TestServer.start(backend)) {
            AdminClient admin = server.admin();
            Api api = server.api();
            AdminClient.Service s = admin.serviceWith("Read-Only Lead");
            String role = AdminClient.unique("role");
            admin.role(role, "Read-Only Lead");
            String other = AdminClient.unique("other") + "@example.com";
            admin.apiUser(other, role);
            String token = admin.token(s);
            for (int i = 0; i < 3; i++) {
                assertThat(api.get("/rest/v1/leads/describe.json", token).success()).isTrue();
            }
            assertThat(admin.patch("/services/" + s.id(), Map.of("user", other)).status()).isEqualTo(200);
            token = admin.token(s);
            for (int i = 0; i < 2; i++) {
                assertThat(api.get("/rest/v1/leads/describe.json", token).success()).isTrue();
            }
            Map<String, Long> users = new HashMap<>();
            api.get("/rest/v1/stats/usage.json", token).result().get(0).path("users")
                    .forEach(u -> users.put(u.path("userId").asString(), u.path("count").asLong()));
            assertThat(users.get(s.userEmail())).as(users.toString()).isEqualTo(3);
            assertThat(users.get(other)).as(users.toString()).isEqualTo(2);
        }
    }
}
