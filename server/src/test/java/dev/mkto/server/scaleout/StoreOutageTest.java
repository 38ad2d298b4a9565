package dev.mkto.server.scaleout;

import static dev.mkto.server.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.MktoServer;
import dev.mkto.server.config.ServerConfig;
import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.Redis;
import dev.mkto.server.testing.TcpProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL or Redis going away while the server runs: API calls are answered 608 (never 611,
 * never a hang), and the server recovers by itself when the store returns. The store "goes away"
 * behind a TCP proxy, so the machine's services are never touched.
 */
class StoreOutageTest {

    private static final String ADMIN = "outage-admin-token-0123";

    private static MktoServer start(Path dir, String dbUrl, String dbUser, String redisUrl) {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--data-dir", dir.toString(), "--db-url", dbUrl));
        if (!dbUser.isEmpty()) {
            args.addAll(List.of("--db-user", dbUser));
        }
        if (redisUrl != null) {
            args.addAll(List.of("--redis-url", redisUrl));
        }
        return MktoServer.start(ServerConfig.parse(args.toArray(String[]::new), Map.of("MKTO_ADMIN_TOKEN", ADMIN)), InstantSource.system());
    }

    private static String setUp(Api api) {
        api.post("/admin/api/v1/roles", ADMIN, Map.of("name", "rw", "permissions", List.of("Read-Write Lead")));
        api.post("/admin/api/v1/users", ADMIN, Map.of("email", "o@example.com", "apiOnly", true,
                "roles", List.of(Map.of("role", "rw", "workspace", "Default"))));
        Api.Response svc = api.post("/admin/api/v1/services", ADMIN, Map.of("name", "o", "user", "o@example.com"));
        return api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + svc.json().path("clientId").asString()
                + "&client_secret=" + svc.json().path("clientSecret").asString(), null).json().path("access_token").asString();
    }

    private static String query(Api api, String token) {
        Api.Response r = api.get("/rest/v1/leads.json?filterType=email&filterValues=someone@example.com", token);
        return r.success() ? "ok" : r.errorCode() + " (HTTP " + r.status() + ")";
    }

    @Test
    void postgresWhenItGoesAwayThenCallsAre608AndTheServerRecoversWhenItReturns(@TempDir Path dir) throws Exception {
        Backend.requirePostgres();
        try (TcpProxy proxy = new TcpProxy(Backend.postgresHost(), Backend.postgresPort())) {
            Backend.Database db = Backend.postgresSchema("127.0.0.1", proxy.port());
            try (MktoServer server = start(dir, db.url(), db.user(), null)) {
                Api api = new Api(server.baseUrl());
                String token = setUp(api);
                assertThat(query(api, token)).isEqualTo("ok");
                proxy.down();
                for (int i = 0; i < 3; i++) {
                    long started = System.nanoTime();
                    assertThat(query(api, token)).startsWith("608");
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
                }
                proxy.up();
                eventually(Duration.ofSeconds(30), () -> query(api, token).equals("ok"), "calls succeed again after PostgreSQL returns");
                // usage counted while the database was away is kept and written once it is back
                eventually(Duration.ofSeconds(30), () -> api.get("/admin/api/v1/usage?days=1", ADMIN).status() == 200,
                        "usage is readable again");
            } finally {
                db.drop().run();
            }
        }
    }

    @Test
    void identityWhenPostgresGoesAwayThen503TemporarilyUnavailableAndTokensAgainWhenItReturns(@TempDir Path dir) throws Exception {
        Backend.requirePostgres();
        try (TcpProxy proxy = new TcpProxy(Backend.postgresHost(), Backend.postgresPort())) {
            Backend.Database db = Backend.postgresSchema("127.0.0.1", proxy.port());
            try (MktoServer server = start(dir, db.url(), db.user(), null)) {
                Api api = new Api(server.baseUrl());
                setUp(api);
                Api.Response svc = api.post("/admin/api/v1/services", ADMIN, Map.of("name", "no token yet", "user", "o@example.com"));
                String grant = "/identity/oauth/token?grant_type=client_credentials&client_id=" + svc.json().path("clientId").asString()
                        + "&client_secret=" + svc.json().path("clientSecret").asString();
                proxy.down();
                // a client whose token must be recorded, and one the server has not read yet: neither is the client's fault
                for (String path : List.of(grant, "/identity/oauth/token?grant_type=client_credentials&client_id=never-read&client_secret=y")) {
                    Api.Response r = api.get(path, null);
                    assertThat(r.status()).as(r.text()).isEqualTo(503);
                    assertThat(r.json().path("error").asString()).isEqualTo("temporarily_unavailable");
                    assertThat(r.text()).doesNotContain(svc.json().path("clientSecret").asString());
                }
                proxy.up();
                eventually(Duration.ofSeconds(30), () -> api.get(grant, null).status() == 200, "tokens are granted again after PostgreSQL returns");
            } finally {
                db.drop().run();
            }
        }
    }

    @Test
    void redisWhenItGoesAwayThenCallsAre608AndLimitsResumeWhenItReturns(@TempDir Path dir) throws Exception {
        Redis.require();
        try (TcpProxy proxy = new TcpProxy(Redis.HOST, Redis.PORT)) {
            Path h2 = Files.createDirectories(dir.resolve("db"));
            try (MktoServer server = start(dir, ServerConfig.defaultH2Url(h2), "", "redis://127.0.0.1:" + proxy.port())) {
                Api api = new Api(server.baseUrl());
                String token = setUp(api);
                assertThat(query(api, token)).isEqualTo("ok");
                proxy.down();
                eventually(Duration.ofSeconds(10), () -> query(api, token).startsWith("608"), "calls are answered 608 while Redis is away");
                long started = System.nanoTime();
                assertThat(query(api, token)).startsWith("608");
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
                assertThat(api.get("/identity/oauth/token?grant_type=client_credentials&client_id=x&client_secret=y", null).status())
                        .isEqualTo(401); // identity does not depend on Redis
                proxy.up();
                eventually(Duration.ofSeconds(60), () -> query(api, token).equals("ok"), "calls succeed again after Redis returns");
                assertThat(api.get("/admin/api/v1/limits", ADMIN).json().path("instance").path("shared").asBoolean()).isTrue();
            }
        }
        assertThat(AdminClient.unique("x")).isNotBlank();
    }
}
