package dev.mkto.server.scaleout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.Redis;
import dev.mkto.server.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three mkto-server processes on one PostgreSQL and one Redis, hammered concurrently: the rate
 * window, calls in flight and the daily quota are never exceeded globally, a token issued by one
 * process works on every process, and a service disabled through one stops on all within a second.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScaleOutTest {

    private static final String ADMIN = "scale-admin-token-0123";

    private Path dir;
    private Backend.Database db;
    private final List<ServerProcess> nodes = new ArrayList<>();
    private List<Api> apis;
    private Api admin;
    private String clientId;
    private String secret;
    private long serviceId;

    @BeforeAll
    void start() throws Exception {
        Backend.requirePostgres();
        Redis.require();
        dir = Files.createTempDirectory("mkto-scaleout");
        db = Backend.postgresSchema(Backend.postgresHost(), Backend.postgresPort());
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Map<String, String> env = Map.of("MKTO_ADMIN_TOKEN", ADMIN, "MKTO_SECRET_KEY", Base64.getEncoder().encodeToString(key));
        for (int i = 0; i < 3; i++) {
            Path data = Files.createDirectories(dir.resolve("node" + i));
            nodes.add(new ServerProcess(List.of("--port", "0", "--data-dir", data.toString(), "--db-url", db.url(), "--db-user", db.user(),
                    "--redis-url", Redis.URL), env, dir.resolve("node" + i + ".log")));
        }
        apis = nodes.stream().map(ServerProcess::api).toList();
        admin = apis.get(0);
        admin.post("/admin/api/v1/roles", ADMIN, Map.of("name", "rw", "permissions", List.of("Read-Write Lead")));
        admin.post("/admin/api/v1/users", ADMIN, Map.of("email", "scale@example.com", "apiOnly", true,
                "roles", List.of(Map.of("role", "rw", "workspace", "Default"))));
        Api.Response svc = admin.post("/admin/api/v1/services", ADMIN, Map.of("name", "scale", "user", "scale@example.com"));
        clientId = svc.json().path("clientId").asString();
        secret = svc.json().path("clientSecret").asString();
        serviceId = svc.json().path("id").asLong();
    }

    @AfterAll
    void stop() {
        nodes.forEach(ServerProcess::close);
        if (db != null) {
            db.drop().run();
        }
    }

    private String token(Api api) {
        Api.Response r = api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + clientId + "&client_secret=" + secret, null);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json().path("access_token").asString();
    }

    private void limits(Map<String, Object> limits) throws InterruptedException {
        assertThat(admin.method("PATCH", "/admin/api/v1/instance", ADMIN, "application/json",
                dev.mkto.server.http.Json.MAPPER.writeValueAsString(Map.of("limits", limits))).status()).isEqualTo(200);
        Thread.sleep(600); // every process picks the change up within its poll interval
    }

    /** Fires {@code calls} requests from {@code threads} threads, round-robin over the nodes; counts answers by code. */
    private Map<String, Integer> hammer(int threads, int calls, String token, String path) throws Exception {
        Map<String, Integer> codes = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < calls) {
                        Api.Response r = apis.get(i % apis.size()).get(path, token);
                        codes.merge(r.success() ? "ok" : r.errorCode(), 1, Integer::sum);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        return codes;
    }

    @Test
    void tokensWhenIssuedByOneProcessThenTheSameLiveTokenAndValidOnEveryProcess() {
        String first = token(apis.get(0));
        assertThat(token(apis.get(1))).isEqualTo(first);
        assertThat(token(apis.get(2))).isEqualTo(first);
        for (Api api : apis) {
            assertThat(api.get("/rest/v1/leads/describe2.json", first).success()).isTrue();
        }
    }

    @Test
    void rateWindowWhenAllProcessesAreHammeredThenExactlyTheLimitIsAdmitted() throws Exception {
        limits(Map.of("rateCalls", 60, "rateWindowSeconds", 120, "concurrent", 1000, "dailyQuota", 1_000_000));
        try {
            String token = token(apis.get(0));
            long alreadyInWindow = admin.get("/admin/api/v1/limits", ADMIN).json().path("instance").path("callsInWindow").asLong();
            Map<String, Integer> codes = hammer(12, 240, token, "/rest/v1/leads/describe2.json");
            assertThat(codes.get("ok")).as(codes + ", " + alreadyInWindow + " already in the window").isEqualTo(60 - (int) alreadyInWindow);
            assertThat(codes.get("606")).as(codes.toString()).isEqualTo(180 + (int) alreadyInWindow);
        } finally {
            limits(Map.of("rateCalls", 100_000, "rateWindowSeconds", 1));
        }
    }

    @Test
    void concurrencyWhenAllProcessesAreHammeredThenNeverMoreInFlightThanTheLimit() throws Exception {
        limits(Map.of("rateCalls", 100_000, "rateWindowSeconds", 1, "concurrent", 3, "dailyQuota", 1_000_000));
        String token = token(apis.get(0));
        StringBuilder leads = new StringBuilder("{\"input\":[");
        for (int i = 0; i < 300; i++) {
            leads.append(i == 0 ? "" : ",").append("{\"email\":\"c").append(i).append("@example.com\",\"firstName\":\"C\"}");
        }
        String body = leads.append("]}").toString();
        Map<String, Integer> codes = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(12)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 12; t++) {
                futures.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < 90) {
                        Api.Response r = apis.get(i % 3).post("/rest/v1/leads.json", token, body);
                        codes.merge(r.success() ? "ok" : r.errorCode(), 1, Integer::sum);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        long peak = admin.get("/admin/api/v1/limits", ADMIN).json().path("instance").path("peakInFlight").asLong();
        assertThat(peak).as(codes.toString()).isBetween(1L, 3L);
        assertThat(codes.getOrDefault("ok", 0)).isPositive();
        assertThat(codes.keySet()).isSubsetOf("ok", "615");
    }

    @Test
    void quotaWhenAllProcessesAreHammeredThenExactlyTheRemainingQuotaIsAdmitted() throws Exception {
        limits(Map.of("rateCalls", 100_000, "rateWindowSeconds", 1, "concurrent", 1000));
        long used = admin.get("/admin/api/v1/limits", ADMIN).json().path("instance").path("quotaUsed").asLong();
        limits(Map.of("dailyQuota", used + 25));
        try {
            Map<String, Integer> codes = hammer(12, 120, token(apis.get(0)), "/rest/v1/leads/describe2.json");
            assertThat(codes.get("ok")).as(codes.toString()).isEqualTo(25);
            assertThat(codes.get("607")).as(codes.toString()).isEqualTo(95);
        } finally {
            limits(Map.of("dailyQuota", 1_000_000));
        }
    }

    @Test
    void disableWhenDoneThroughOneProcessThenTheTokenStopsOnAllWithinASecond() throws Exception {
        limits(Map.of("rateCalls", 100_000, "rateWindowSeconds", 1, "concurrent", 1000, "dailyQuota", 1_000_000));
        String token = token(apis.get(0));
        for (Api api : apis) {
            assertThat(api.get("/rest/v1/leads/describe2.json", token).success()).isTrue();
        }
        long started = System.nanoTime();
        assertThat(apis.get(0).method("PATCH", "/admin/api/v1/services/" + serviceId, ADMIN, "application/json", "{\"enabled\":false}")
                .status()).isEqualTo(200);
        try {
            for (Api api : List.of(apis.get(1), apis.get(2))) {
                while (!"601".equals(api.get("/rest/v1/leads/describe2.json", token).errorCode())) {
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
                    Thread.sleep(20);
                }
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        } finally {
            apis.get(0).method("PATCH", "/admin/api/v1/services/" + serviceId, ADMIN, "application/json", "{\"enabled\":true}");
            Thread.sleep(600);
        }
    }

    /** A user of its own with a role of its own and one service: [role id, user id, service id, client id, secret]. */
    private String[] ownService(String name, String... permissions) {
        String role = name + "-role";
        long roleId = admin.post("/admin/api/v1/roles", ADMIN, Map.of("name", role, "permissions", List.of(permissions))).json().path("id").asLong();
        long userId = admin.post("/admin/api/v1/users", ADMIN, Map.of("email", name + "@example.com", "apiOnly", true,
                "roles", List.of(Map.of("role", role, "workspace", "Default")))).json().path("id").asLong();
        Api.Response svc = admin.post("/admin/api/v1/services", ADMIN, Map.of("name", name, "user", name + "@example.com"));
        return new String[] {Long.toString(roleId), Long.toString(userId), svc.json().path("id").asString(),
                svc.json().path("clientId").asString(), svc.json().path("clientSecret").asString()};
    }

    private static Api.Response grant(Api api, String clientId, String secret) {
        return api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + clientId + "&client_secret=" + secret, null);
    }

    /** Waits until {@code done} holds on the other two processes; fails if that takes a second or more. */
    private static void onTheOthersWithinASecond(long started, List<Api> others, java.util.function.Predicate<Api> done)
            throws InterruptedException {
        for (Api api : others) {
            while (!done.test(api)) {
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
                Thread.sleep(20);
            }
        }
    }

    @Test
    void rotateWhenDoneThroughOneProcessThenTheOldTokenAndSecretStopOnAllAndTheNewSecretWorks() throws Exception {
        limits(Map.of("rateCalls", 100_000, "rateWindowSeconds", 1, "concurrent", 1000, "dailyQuota", 1_000_000));
        String[] s = ownService("rotate" + System.nanoTime());
        String old = grant(apis.get(1), s[3], s[4]).json().path("access_token").asString();
        for (Api api : apis) {
            assertThat(api.get("/rest/v1/stats/usage.json", old).success()).isTrue();
        }
        long started = System.nanoTime();
        Api.Response rotated = admin.post("/admin/api/v1/services/" + s[2] + "/secret", ADMIN, Map.of());
        assertThat(rotated.status()).as(rotated.text()).isEqualTo(200);
        String fresh = rotated.json().path("clientSecret").asString();
        onTheOthersWithinASecond(started, apis.subList(1, 3), api -> "601".equals(api.get("/rest/v1/stats/usage.json", old).errorCode())
                && grant(api, s[3], s[4]).status() == 401);
        for (Api api : apis) {
            Api.Response g = grant(api, s[3], fresh);
            assertThat(g.status()).as(g.text()).isEqualTo(200);
            assertThat(g.json().path("access_token").asString()).isNotEqualTo(old);
            assertThat(api.get("/rest/v1/stats/usage.json", g.json().path("access_token").asString()).success()).isTrue();
        }
    }

    @Test
    void deactivateWhenDoneThroughOneProcessThenTokensAndGrantsStopOnAll() throws Exception {
        limits(Map.of("rateCalls", 100_000, "rateWindowSeconds", 1, "concurrent", 1000, "dailyQuota", 1_000_000));
        String[] s = ownService("deactivate" + System.nanoTime());
        String token = grant(apis.get(2), s[3], s[4]).json().path("access_token").asString();
        for (Api api : apis) {
            assertThat(api.get("/rest/v1/stats/usage.json", token).success()).isTrue();
        }
        long started = System.nanoTime();
        assertThat(admin.method("PATCH", "/admin/api/v1/users/" + s[1], ADMIN, "application/json", "{\"active\":false}").status())
                .isEqualTo(200);
        onTheOthersWithinASecond(started, apis.subList(1, 3), api -> "601".equals(api.get("/rest/v1/stats/usage.json", token).errorCode())
                && grant(api, s[3], s[4]).text().contains("is deactivated"));
    }

    @Test
    void roleChangeWhenDoneThroughOneProcessThenEveryProcessChecksTheNewPermissions() throws Exception {
        limits(Map.of("rateCalls", 100_000, "rateWindowSeconds", 1, "concurrent", 1000, "dailyQuota", 1_000_000));
        String[] s = ownService("role" + System.nanoTime(), "Read-Only Lead");
        String token = grant(apis.get(0), s[3], s[4]).json().path("access_token").asString();
        for (Api api : apis) {
            assertThat(api.get("/rest/v1/leads/describe2.json", token).success()).isTrue();
            assertThat(api.get("/rest/v1/companies/describe.json", token).errorCode()).isEqualTo("603");
        }
        long started = System.nanoTime();
        assertThat(admin.method("PATCH", "/admin/api/v1/roles/" + s[0], ADMIN, "application/json",
                "{\"permissions\":[\"Read-Only Company\"]}").status()).isEqualTo(200);
        onTheOthersWithinASecond(started, apis.subList(1, 3), api -> "603".equals(api.get("/rest/v1/leads/describe2.json", token).errorCode())
                && api.get("/rest/v1/companies/describe.json", token).success());
    }

    @Test
    void usageWhenEveryProcessCountsAndFlushesThenEachCallIsCountedOnceEverywhere() throws Exception {
        limits(Map.of("rateCalls", 100_000, "rateWindowSeconds", 1, "concurrent", 1000, "dailyQuota", 1_000_000));
        String name = "usage" + System.nanoTime();
        String[] s = ownService(name, "Read-Only Lead");
        String token = grant(apis.get(0), s[3], s[4]).json().path("access_token").asString();
        int[] perNode = {7, 5, 3};
        for (int n = 0; n < 3; n++) {
            for (int i = 0; i < perNode[n]; i++) {
                assertThat(apis.get(n).get("/rest/v1/leads/describe2.json", token).success()).isTrue();
            }
        }
        Thread.sleep(2_500); // every process has flushed its counts at least once
        for (int round = 0; round < 2; round++) {
            for (Api api : apis) {
                assertThat(todaysCalls(api, name + "@example.com")).as(api.base()).isEqualTo(15);
            }
            long viaAdmin = 0;
            for (tools.jackson.databind.JsonNode c : admin.get("/admin/api/v1/usage?days=1", ADMIN).json().path("calls")) {
                if (c.path("serviceId").asString().equals(s[2])) {
                    viaAdmin += c.path("calls").asLong();
                }
            }
            assertThat(viaAdmin).isEqualTo(15);
            Thread.sleep(2_500); // flushed again: still counted once
        }
    }

    /** The user's calls today per Marketo's usage endpoint on that process (asked with another service's token). */
    private long todaysCalls(Api api, String email) {
        Api.Response r = api.get("/rest/v1/stats/usage.json", token(api));
        assertThat(r.success()).as(r.text()).isTrue();
        long n = 0;
        for (tools.jackson.databind.JsonNode u : r.result().get(0).path("users")) {
            if (u.path("userId").asString().equals(email)) {
                n += u.path("count").asLong();
            }
        }
        return n;
    }
}
