package dev.mkto.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mkto.server.config.ServerConfig;
import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up and restart: generated credentials, persistence, and refusing a wrong key. */
class StartupTest {

    private static MktoServer start(Path dir, Map<String, String> env) {
        return MktoServer.start(ServerConfig.parse(new String[] {"--port", "0", "--data-dir", dir.toString()}, env), InstantSource.system());
    }

    @Test
    void firstStartWhenNoAdminTokenConfiguredThenOneIsGeneratedOnceAndWorks(@TempDir Path dir) {
        String token;
        try (MktoServer s = start(dir, Map.of())) {
            token = s.generatedAdminToken().orElseThrow();
            assertThat(token).startsWith("mkto_admin_").hasSizeGreaterThan(40);
            assertThat(new Api(s.baseUrl()).get("/admin/api/v1/instance", token).status()).isEqualTo(200);
            assertThat(new Api(s.baseUrl()).get("/admin/api/v1/instance", token + "x").status()).isEqualTo(401);
        }
        try (MktoServer s = start(dir, Map.of())) {
            assertThat(s.generatedAdminToken()).isEmpty();
            assertThat(new Api(s.baseUrl()).get("/admin/api/v1/instance", token).status()).isEqualTo(200);
        }
    }

    @Test
    void restartWhenDataExistsThenServicesTokensAndLeadsSurvive(@TempDir Path dir) {
        Map<String, String> env = Map.of("MKTO_ADMIN_TOKEN", "restart-admin-token-0123");
        String token;
        String clientId;
        String secret;
        try (MktoServer s = start(dir, env)) {
            Api api = new Api(s.baseUrl());
            api.post("/admin/api/v1/roles", "restart-admin-token-0123", Map.of("name", "rw", "permissions", List.of("Read-Write Lead")));
            api.post("/admin/api/v1/users", "restart-admin-token-0123", Map.of("email", "r@example.com", "apiOnly", true,
                    "roles", List.of(Map.of("role", "rw", "workspace", "Default"))));
            Api.Response svc = api.post("/admin/api/v1/services", "restart-admin-token-0123", Map.of("name", "s", "user", "r@example.com"));
            clientId = svc.json().path("clientId").asString();
            secret = svc.json().path("clientSecret").asString();
            token = api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + clientId + "&client_secret=" + secret, null)
                    .json().path("access_token").asString();
            api.post("/rest/v1/leads.json", token, Map.of("input", List.of(Map.of("email", "kept@example.com"))));
        }
        try (MktoServer s = start(dir, env)) {
            Api api = new Api(s.baseUrl());
            assertThat(api.get("/rest/v1/leads.json?filterType=email&filterValues=kept@example.com", token).result()).hasSize(1);
            Api.Response again = api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + clientId
                    + "&client_secret=" + secret, null);
            assertThat(again.json().path("access_token").asString()).isEqualTo(token);
            assertThat(api.get("/admin/api/v1/services/1/details", "restart-admin-token-0123").json().path("clientSecret").asString())
                    .isEqualTo(secret);
        }
    }

    @Test
    void restartWhenCallsWereCountedThenUsageAndTheDailyQuotaCarryOver(@TempDir Path dir) {
        Map<String, String> env = Map.of("MKTO_ADMIN_TOKEN", "restart-admin-token-0123");
        String admin = "restart-admin-token-0123";
        String token;
        try (MktoServer s = start(dir, env)) {
            Api api = new Api(s.baseUrl());
            api.method("PATCH", "/admin/api/v1/instance", admin, "application/json", "{\"limits\":{\"dailyQuota\":5}}");
            api.post("/admin/api/v1/roles", admin, Map.of("name", "ro", "permissions", List.of("Read-Only Lead")));
            api.post("/admin/api/v1/users", admin, Map.of("email", "q@example.com", "apiOnly", true,
                    "roles", List.of(Map.of("role", "ro", "workspace", "Default"))));
            Api.Response svc = api.post("/admin/api/v1/services", admin, Map.of("name", "q", "user", "q@example.com"));
            token = api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + svc.json().path("clientId").asString()
                    + "&client_secret=" + svc.json().path("clientSecret").asString(), null).json().path("access_token").asString();
            for (int i = 0; i < 4; i++) {
                assertThat(api.get("/rest/v1/leads/describe.json", token).success()).isTrue();
            }
        }
        try (MktoServer s = start(dir, env)) {
            Api api = new Api(s.baseUrl());
            assertThat(api.get("/rest/v1/leads/describe.json", token).success()).isTrue();
            assertThat(api.get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("607");
            assertThat(api.get("/rest/v1/stats/usage.json", token).errorCode()).isEqualTo("607");
            assertThat(api.get("/admin/api/v1/usage?days=1", admin).json().path("calls").get(0).path("calls").asLong()).isEqualTo(5);
        }
    }

    /** An API-only user holding Read-Only Lead with {@code n} services: their client ids and secrets. */
    private static List<String[]> services(Api api, String admin, int n) {
        api.post("/admin/api/v1/roles", admin, Map.of("name", "ro", "permissions", List.of("Read-Only Lead")));
        api.post("/admin/api/v1/users", admin, Map.of("email", "t@example.com", "apiOnly", true,
                "roles", List.of(Map.of("role", "ro", "workspace", "Default"))));
        List<String[]> services = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Api.Response svc = api.post("/admin/api/v1/services", admin, Map.of("name", "s" + i, "user", "t@example.com"));
            services.add(new String[] {svc.json().path("clientId").asString(), svc.json().path("clientSecret").asString(),
                svc.json().path("id").asString()});
        }
        return services;
    }

    private static String grant(Api api, String[] service) {
        return api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + service[0] + "&client_secret=" + service[1], null)
                .json().path("access_token").asString();
    }

    @Test
    void restartWhenTokensWereGrantedJustBeforeTheStopThenEachWorksAndIsReturnedAgain(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("MKTO_ADMIN_TOKEN", "restart-admin-token-0123");
        List<String[]> services;
        List<String> tokens = new ArrayList<>();
        try (MktoServer s = start(dir, env)) {
            Api api = new Api(s.baseUrl());
            services = services(api, "restart-admin-token-0123", 24);
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                List<Future<String>> grants = new ArrayList<>();
                for (String[] service : services) {
                    grants.add(pool.submit(() -> grant(api, service)));
                }
                for (Future<String> g : grants) {
                    tokens.add(g.get());
                }
            }
        }
        try (MktoServer s = start(dir, env)) {
            Api api = new Api(s.baseUrl());
            for (int i = 0; i < services.size(); i++) {
                assertThat(api.get("/rest/v1/leads/describe.json", tokens.get(i)).success()).isTrue();
                assertThat(grant(api, services.get(i))).isEqualTo(tokens.get(i));
            }
        }
    }

    @Test
    void restartWhenAServiceWasDisabledJustAfterItsGrantThenItsTokenStaysRevoked(@TempDir Path dir) {
        Map<String, String> env = Map.of("MKTO_ADMIN_TOKEN", "restart-admin-token-0123");
        String admin = "restart-admin-token-0123";
        List<String[]> services;
        List<String> revoked = new ArrayList<>();
        try (MktoServer s = start(dir, env)) {
            Api api = new Api(s.baseUrl());
            services = services(api, admin, 8);
            for (String[] service : services) {
                revoked.add(grant(api, service));
                api.method("PATCH", "/admin/api/v1/services/" + service[2], admin, "application/json", "{\"enabled\":false}");
            }
        }
        try (MktoServer s = start(dir, env)) {
            Api api = new Api(s.baseUrl());
            for (int i = 0; i < services.size(); i++) {
                api.method("PATCH", "/admin/api/v1/services/" + services.get(i)[2], admin, "application/json", "{\"enabled\":true}");
                assertThat(api.get("/rest/v1/leads/describe.json", revoked.get(i)).errorCode()).isEqualTo("601");
                String fresh = grant(api, services.get(i));
                assertThat(fresh).isNotEqualTo(revoked.get(i));
                assertThat(api.get("/rest/v1/leads/describe.json", fresh).success()).isTrue();
            }
        }
    }

    @Test
    void startWhenSecretKeyDiffersFromTheDatabasesThenRefusedWithAMessage(@TempDir Path dir) throws Exception {
        try (MktoServer s = start(dir, Map.of())) {
            assertThat(s.port()).isPositive();
        }
        Files.delete(dir.resolve("secret.key"));
        assertThatThrownBy(() -> start(dir, Map.of()))
                .isInstanceOf(MktoServer.StartupException.class)
                .hasMessageContaining("not the one this database was created with");
        byte[] other = new byte[32];
        other[0] = 7;
        assertThatThrownBy(() -> start(dir, Map.of("MKTO_SECRET_KEY", Base64.getEncoder().encodeToString(other))))
                .isInstanceOf(MktoServer.StartupException.class);
    }

    @Test
    void startWhenPostgresUnreachableThenRefusedWithAMessageNamingTheDatabase(@TempDir Path dir) {
        ServerConfig c = ServerConfig.parse(new String[] {"--port", "0", "--data-dir", dir.toString(),
                "--db-url", "jdbc:postgresql://127.0.0.1:1/nothing?connectTimeout=1"}, Map.of());
        assertThatThrownBy(() -> MktoServer.start(c, InstantSource.system()))
                .isInstanceOf(MktoServer.StartupException.class)
                .hasMessageContaining("cannot open the database")
                .hasMessageContaining("127.0.0.1:1");
    }
}
