package dev.mkto.server.limits;

import static dev.mkto.server.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.MktoServer;
import dev.mkto.server.config.ServerConfig;
import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.MutableClock;
import dev.mkto.server.testing.Redis;
import dev.mkto.server.testing.TcpProxy;
import dev.mkto.server.testing.TestServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The limits counted in the machine's Redis, at their failure edges: Redis losing its counters,
 * Redis away while a call ends, and processes whose clocks disagree sharing one window and one
 * set of calls in flight.
 */
class RedisLimitsTest {

    private static final ZoneId CHICAGO = ZoneId.of("America/Chicago");
    private static final Instant NOON = LocalDate.of(2026, 11, 23).atTime(12, 0).atZone(CHICAGO).toInstant();

    @BeforeEach
    void redis() {
        Redis.require();
    }

    private static void limits(AdminClient admin, Map<String, Object> limits) {
        Api.Response r = admin.patch("/instance", Map.of("limits", limits));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
    }

    private static JsonNode snapshot(AdminClient admin) {
        return admin.get("/limits").json().path("instance");
    }

    private static String describe(Api api, String token) {
        Api.Response r = api.get("/rest/v1/leads/describe2.json", token);
        return r.success() ? "ok" : r.errorCode();
    }

    private static String clusterId(String dbUrl) throws Exception {
        try (Connection c = DriverManager.getConnection(dbUrl, Backend.postgresUser(), "");
             ResultSet rs = c.createStatement().executeQuery("SELECT setting_value FROM server_setting WHERE name = 'cluster_id'")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    @Test
    void quotaWhenRedisLosesItsCountersThenTheQuotaContinuesFromTheRecordedUsage() throws Exception {
        try (TestServer server = TestServer.start(Backend.POSTGRES, new MutableClock(NOON), List.of(), Map.of("MKTO_REDIS_URL", Redis.URL))) {
            AdminClient admin = server.admin();
            limits(admin, Map.of("dailyQuota", 3));
            String token = admin.tokenWith("Read-Only Lead");
            for (int i = 1; i <= 3; i++) {
                assertThat(describe(server.api(), token)).as("call %d", i).isEqualTo("ok");
            }
            assertThat(describe(server.api(), token)).isEqualTo("607");
            Thread.sleep(2_500); // the usage counts are flushed
            // Redis restarted without persistence (or failed over to a replica that lagged): its counters are gone
            RedisClient client = RedisClient.create(Redis.URL);
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                List<String> keys = c.sync().keys("mkto:" + clusterId(server.dbUrl()) + ":*");
                assertThat(keys).isNotEmpty();
                c.sync().del(keys.toArray(String[]::new));
            } finally {
                client.shutdown();
            }
            assertThat(describe(server.api(), token)).isEqualTo("607");
            assertThat(snapshot(admin).path("quotaUsed").asLong()).isEqualTo(3);
        }
    }

    @Test
    void keysWhenCallsWereCountedThenEveryCounterExpiresAndNoneIsLeftInFlight() throws Exception {
        try (TestServer server = TestServer.start(Backend.POSTGRES, new MutableClock(NOON), List.of(), Map.of("MKTO_REDIS_URL", Redis.URL))) {
            AdminClient.Service s = server.admin().serviceWith("Read-Only Lead");
            assertThat(server.admin().patch("/services/" + s.id(), Map.of("caps", Map.of("rateCalls", 50))).status()).isEqualTo(200);
            String token = server.admin().token(s);
            for (int i = 0; i < 3; i++) {
                assertThat(describe(server.api(), token)).isEqualTo("ok");
            }
            assertThat(server.api().get("/rest/v1/leads/describe2.json", "bogus").errorCode()).isEqualTo("601");
            assertThat(snapshot(server.admin()).path("inFlight").asLong()).isZero();
            assertThat(snapshot(server.admin()).path("quotaUsed").asLong()).isEqualTo(3);
            RedisClient client = RedisClient.create(Redis.URL);
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                List<String> keys = c.sync().keys("mkto:" + clusterId(server.dbUrl()) + ":*");
                // window, quota and peak, of the instance and of the capped service (an empty set of calls in flight is no key)
                assertThat(keys).hasSize(6).noneMatch(k -> k.endsWith(":f"));
                for (String k : keys) {
                    long ttl = c.sync().pttl(k);
                    if (k.endsWith(":p")) {
                        continue; // the most calls seen in flight at once: one small number per scope, kept
                    }
                    assertThat(ttl).as(k).isPositive();
                    if (k.endsWith(":f")) {
                        assertThat(c.sync().zcard(k)).as(k).isZero();
                    }
                }
            } finally {
                client.shutdown();
            }
        }
    }

    /** A server on H2 whose limits are in the Redis that {@code proxy} forwards to. */
    private static TestServer behind(TcpProxy proxy) {
        return TestServer.start(Backend.H2, new MutableClock(NOON), List.of(), Map.of("MKTO_REDIS_URL", "redis://127.0.0.1:" + proxy.port()));
    }

    @Test
    void concurrencyWhenRedisIsAwayAsACallEndsThenItsSlotIsFreedOnceRedisIsBack() throws Exception {
        try (TcpProxy proxy = new TcpProxy(Redis.HOST, Redis.PORT); TestServer server = behind(proxy)) {
            AdminClient admin = server.admin();
            Api api = server.api();
            limits(admin, Map.of("concurrent", 1));
            String token = admin.tokenWith("Read-Write Lead");
            try (LimitsTest.HeldRequest held = new LimitsTest.HeldRequest(api.base(), token)) {
                eventually(Duration.ofSeconds(10), () -> snapshot(admin).path("inFlight").asLong() == 1, "the held call is in flight");
                proxy.down();
                assertThat(held.finish()).contains("\"status\":\"created\""); // answered; its slot could not be given back
            }
            proxy.up();
            eventually(Duration.ofSeconds(60), () -> !"608".equals(describe(api, token)), "Redis answers again");
            // the call ended long ago: its slot must not stay taken until its lease runs out (five minutes)
            eventually(Duration.ofSeconds(10), () -> "ok".equals(describe(api, token)), "the slot of the call that ended is free");
            assertThat(snapshot(admin).path("inFlight").asLong()).isZero();
        }
    }

    @Test
    void concurrencyWhenRedisAnswersAnAdmissionTooLateThenTheCallAnswered608HoldsNoSlotAndCountsNothing() throws Exception {
        try (TcpProxy proxy = new TcpProxy(Redis.HOST, Redis.PORT); TestServer server = behind(proxy)) {
            AdminClient admin = server.admin();
            Api api = server.api();
            limits(admin, Map.of("concurrent", 1));
            String token = admin.tokenWith("Read-Only Lead");
            assertThat(describe(api, token)).isEqualTo("ok");
            eventually(Duration.ofSeconds(10), () -> snapshot(admin).path("inFlight").asLong() == 0, "the first call has ended");
            // Redis stalls (a slow fork, a network hiccup) past the time-out: the call is answered 608, and only
            // then does Redis run the admission it was sent
            proxy.stall();
            assertThat(describe(api, token)).isEqualTo("608");
            proxy.resume();
            // the 608 was not admitted: its slot is free long before its lease runs out (five minutes), and it is not counted
            eventually(Duration.ofSeconds(10), () -> "ok".equals(describe(api, token)), "the slot of the call answered 608 is free");
            assertThat(snapshot(admin).path("inFlight").asLong()).isZero();
            assertThat(snapshot(admin).path("quotaUsed").asLong()).isEqualTo(2);
            assertThat(snapshot(admin).path("callsInWindow").asLong()).isEqualTo(2);
        }
    }

    @Test
    void limitsWhenTheProcessesClocksDisagreeThenTheyStillShareOneWindowAndOneSetOfCallsInFlight(@TempDir Path dir) throws Exception {
        Backend.Database db = Backend.postgresSchema(Backend.postgresHost(), Backend.postgresPort());
        List<MktoServer> nodes = new ArrayList<>();
        try {
            MutableClock behind = new MutableClock(NOON);
            MutableClock ahead = new MutableClock(NOON.plus(Duration.ofMinutes(6))); // a clock that drifted (or was set) ahead
            for (MutableClock clock : List.of(behind, ahead)) {
                Path data = Files.createDirectories(dir.resolve("node" + nodes.size()));
                nodes.add(MktoServer.start(ServerConfig.parse(new String[] {"--port", "0", "--data-dir", data.toString(), "--db-url", db.url(),
                        "--db-user", db.user(), "--redis-url", Redis.URL}, Map.of("MKTO_ADMIN_TOKEN", TestServer.ADMIN_TOKEN,
                        "MKTO_SECRET_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")), clock));
            }
            Api first = new Api(nodes.get(0).baseUrl());
            Api second = new Api(nodes.get(1).baseUrl());
            Api.Response patched = first.method("PATCH", "/admin/api/v1/instance", TestServer.ADMIN_TOKEN, "application/json",
                    "{\"limits\":{\"rateCalls\":2,\"concurrent\":1}}");
            assertThat(patched.status()).as(patched.text()).isEqualTo(200);
            Thread.sleep(600); // both processes see the change
            String role = AdminClient.unique("role");
            first.post("/admin/api/v1/roles", TestServer.ADMIN_TOKEN, Map.of("name", role, "permissions", List.of("Read-Write Lead")));
            String email = AdminClient.unique("skew") + "@example.com";
            first.post("/admin/api/v1/users", TestServer.ADMIN_TOKEN, Map.of("email", email, "apiOnly", true,
                    "roles", List.of(Map.of("role", role, "workspace", "Default"))));
            JsonNode svc = first.post("/admin/api/v1/services", TestServer.ADMIN_TOKEN, Map.of("name", "skew", "user", email)).json();
            String token = first.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + svc.path("clientId").asString()
                    + "&client_secret=" + svc.path("clientSecret").asString(), null).json().path("access_token").asString();

            // one call in flight on the first process: the second may not start another
            try (LimitsTest.HeldRequest held = new LimitsTest.HeldRequest(first.base(), token)) {
                eventually(Duration.ofSeconds(10), () -> first.get("/admin/api/v1/limits", TestServer.ADMIN_TOKEN).json()
                        .path("instance").path("inFlight").asLong() == 1, "the held call is in flight");
                assertThat(describe(second, token)).isEqualTo("615");
                assertThat(held.finish()).contains("\"status\":\"created\"");
            }
            // the window holds that call; one more call fills it, on either process
            eventually(Duration.ofSeconds(10), () -> "ok".equals(describe(first, token)), "the slot is free");
            assertThat(describe(second, token)).isEqualTo("606");
            assertThat(describe(first, token)).isEqualTo("606");
        } finally {
            nodes.forEach(MktoServer::close);
            db.drop().run();
        }
    }
}
