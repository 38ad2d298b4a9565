package dev.mkto.server.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.store.KeyRing;
import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The identity service over HTTP: every request form, reuse, expiry, and every refusal. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdentityTest {

    private TestServer server;
    private Api api;
    private AdminClient admin;

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.H2);
        api = server.api();
        admin = server.admin();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private AdminClient.Service newService() {
        return admin.serviceWith("Read-Only Lead");
    }

    @Test
    void issueTokenWhenCredentialsInQueryThenBearerTokenForTheApiUser() {
        AdminClient.Service s = newService();
        Api.Response r = admin.identity(s.clientId(), s.clientSecret());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("access_token").asString()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}:[a-z0-9]+");
        assertThat(r.json().path("token_type").asString()).isEqualTo("bearer");
        assertThat(r.json().path("expires_in").asLong()).isBetween(3599L, 3600L);
        assertThat(r.json().path("scope").asString()).isEqualTo(s.userEmail());
        assertThat(r.headers().get("cache-control")).contains("no-store");
    }

    @Test
    void issueTokenWhenPostWithQueryFormOrBasicThenSameLiveToken() {
        AdminClient.Service s = newService();
        String first = admin.token(s);
        Api.Response query = api.method("POST", "/identity/oauth/token?grant_type=client_credentials&client_id=" + s.clientId()
                + "&client_secret=" + s.clientSecret(), null, null, null);
        Api.Response form = api.postForm("/identity/oauth/token", null,
                "grant_type=client_credentials&client_id=" + s.clientId() + "&client_secret=" + s.clientSecret());
        String basic = Base64.getEncoder().encodeToString((s.clientId() + ":" + s.clientSecret()).getBytes(StandardCharsets.UTF_8));
        Api.Response viaBasic = api.send(api.request("/identity/oauth/token", null).header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")));
        for (Api.Response r : List.of(query, form, viaBasic)) {
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.json().path("access_token").asString()).isEqualTo(first);
        }
    }

    @Test
    void issueTokenWhenAskedAgainBeforeExpiryThenSameTokenWithRemainingLifetime() {
        AdminClient.Service s = newService();
        Api.Response first = admin.identity(s.clientId(), s.clientSecret());
        server.clock().advance(Duration.ofSeconds(600));
        Api.Response second = admin.identity(s.clientId(), s.clientSecret());
        assertThat(second.json().path("access_token").asString()).isEqualTo(first.json().path("access_token").asString());
        assertThat(second.json().path("expires_in").asLong()).isEqualTo(first.json().path("expires_in").asLong() - 600);
        server.clock().advance(Duration.ofSeconds(3000));
        Api.Response third = admin.identity(s.clientId(), s.clientSecret());
        assertThat(third.json().path("access_token").asString()).isNotEqualTo(first.json().path("access_token").asString());
        assertThat(third.json().path("expires_in").asLong()).isBetween(3599L, 3600L);
    }

    @Test
    void issueTokenWhenTwoServicesShareAUserThenEachHasItsOwnToken() {
        AdminClient.Service a = newService();
        AdminClient.Service b = admin.service(AdminClient.unique("svc"), a.userEmail());
        assertThat(admin.token(a)).isNotEqualTo(admin.token(b));
    }

    @Test
    void issueTokenWhenManyRequestsRaceThenAllGetTheSameToken() throws Exception {
        AdminClient.Service s = newService();
        Set<String> tokens = ConcurrentHashMap.newKeySet();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                futures.add(pool.submit(() -> tokens.add(admin.token(s))));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        assertThat(tokens).hasSize(1);
    }

    @Test
    void issueTokenWhenGrantsRaceWithChangesThenEachGrantAfterAChangeSeesIt() throws Exception {
        // grants for another client keep re-reading the credentials while a service is disabled and
        // enabled again: a read that began before a change must not be kept after it
        AdminClient.Service busy = newService();
        AdminClient.Service toggled = newService();
        AtomicBoolean done = new AtomicBoolean();
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<?> granting = pool.submit(() -> {
                while (!done.get()) {
                    assertThat(admin.identity(busy.clientId(), busy.clientSecret()).status()).isEqualTo(200);
                }
            });
            try {
                for (int i = 0; i < 60; i++) {
                    assertThat(admin.patch("/services/" + toggled.id(), Map.of("enabled", false)).status()).isEqualTo(200);
                    Api.Response refused = admin.identity(toggled.clientId(), toggled.clientSecret());
                    assertThat(refused.status()).as("round %d: %s", i, refused.text()).isEqualTo(401);
                    assertThat(admin.patch("/services/" + toggled.id(), Map.of("enabled", true)).status()).isEqualTo(200);
                    Api.Response granted = admin.identity(toggled.clientId(), toggled.clientSecret());
                    assertThat(granted.status()).as("round %d: %s", i, granted.text()).isEqualTo(200);
                }
            } finally {
                done.set(true);
            }
            granting.get();
        }
    }

    @Test
    void rotateSecretWhenGrantsWithTheOldSecretRaceWithItThenNoTokenTheyGotWorksAfterIt() throws Exception {
        for (Backend backend : Backend.values()) {
            try (TestServer other = backend == Backend.H2 ? null : TestServer.start(backend)) {
                rotateWhileGranting(other == null ? admin : other.admin(), other == null ? api : other.api(), backend);
            }
        }
    }

    private static void rotateWhileGranting(AdminClient admin, Api api, Backend backend) throws Exception {
        AdminClient.Service s = admin.serviceWith("Read-Only Lead");
        String secret = s.clientSecret();
        for (int round = 0; round < 20; round++) {
            String old = secret;
            AtomicBoolean done = new AtomicBoolean();
            List<String> obtained = java.util.Collections.synchronizedList(new ArrayList<>());
            try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
                List<Future<?>> granting = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    granting.add(pool.submit(() -> {
                        while (!done.get()) {
                            Api.Response r = admin.identity(s.clientId(), old);
                            if (r.status() == 200) {
                                obtained.add(r.json().path("access_token").asString());
                            }
                        }
                    }));
                }
                Thread.sleep(20);
                Api.Response rotated = admin.post("/services/" + s.id() + "/secret", Map.of());
                assertThat(rotated.status()).isEqualTo(200);
                secret = rotated.json().path("clientSecret").asString();
                done.set(true);
                for (Future<?> f : granting) {
                    f.get();
                }
            }
            for (String token : new java.util.LinkedHashSet<>(obtained)) {
                assertThat(api.get("/rest/v1/leads/describe.json", token).errorCode())
                        .as("%s, round %d: a token granted for the old secret", backend, round).isEqualTo("601");
            }
        }
    }

    @Test
    void useTokenWhenExpiredThen602OnceAnd601After() {
        AdminClient.Service s = newService();
        String token = admin.token(s);
        assertThat(api.get("/rest/v1/leads/describe.json", token).success()).isTrue();
        server.clock().advance(Duration.ofSeconds(3600));
        assertThat(api.get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("602");
        assertThat(api.get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("601");
        assertThat(api.get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("601");
        String fresh = admin.token(s);
        assertThat(fresh).isNotEqualTo(token);
        assertThat(api.get("/rest/v1/leads/describe.json", fresh).success()).isTrue();
    }

    @Test
    void useTokenWhenMissingOrUnknownThen600Or601() {
        assertThat(api.get("/rest/v1/leads/describe.json", null).errorCode()).isEqualTo("600");
        assertThat(api.send(api.request("/rest/v1/leads/describe.json", null).header("Authorization", "Bearer ")).errorCode())
                .isEqualTo("600");
        assertThat(api.get("/rest/v1/leads/describe.json", "not-a-token").errorCode()).isEqualTo("601");
        assertThat(api.get("/rest/v1/leads/describe.json", "cdf01657-110d-4155-99a7-f986b2ff13a0:int").errorCode()).isEqualTo("601");
    }

    @Test
    void useTokenWhenSchemeIsLowercaseThenAccepted() {
        String token = admin.token(newService());
        Api.Response r = api.send(api.request("/rest/v1/leads/describe.json", null).header("Authorization", "bearer   " + token));
        assertThat(r.success()).isTrue();
    }

    @Test
    void useTokenWhenInQueryStringThenRefusedUnlessTheInstanceAllowsIt() {
        String token = admin.token(newService());
        assertThat(api.get("/rest/v1/leads/describe.json?access_token=" + token, null).errorCode()).isEqualTo("600");
        assertThat(admin.patch("/instance", Map.of("allowQueryToken", true)).status()).isEqualTo(200);
        try {
            assertThat(api.get("/rest/v1/leads/describe.json?access_token=" + token, null).success()).isTrue();
        } finally {
            admin.patch("/instance", Map.of("allowQueryToken", false));
        }
        assertThat(api.get("/rest/v1/leads/describe.json?access_token=" + token, null).errorCode()).isEqualTo("600");
    }

    @Test
    void issueTokenWhenClientIdUnknownThen401UnauthorizedNamingTheId() {
        Api.Response r = admin.identity("00000000-0000-0000-0000-000000000000", "whatever-secret-value");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").asString()).isEqualTo("unauthorized");
        assertThat(r.json().path("error_description").asString())
                .isEqualTo("No client with requested id: 00000000-0000-0000-0000-000000000000");
    }

    @Test
    void issueTokenWhenClientIdAskedForBeforeItsServiceExistedThenGrantedOnceItDoes() {
        for (Backend backend : Backend.values()) {
            try (TestServer s = backend == Backend.H2 ? null : TestServer.start(backend)) {
                AdminClient a = s == null ? admin : s.admin();
                String clientId = "later-" + AdminClient.unique("client");
                assertThat(a.identity(clientId, "Chosen-Secret-0123456789").json().path("error_description").asString())
                        .as(backend.name()).startsWith("No client with requested id");
                String role = AdminClient.unique("role");
                a.role(role, "Read-Only Lead");
                String email = AdminClient.unique("api") + "@example.com";
                a.apiUser(email, role);
                a.create("/services", Map.of("name", AdminClient.unique("svc"), "user", email, "clientId", clientId,
                        "clientSecret", "Chosen-Secret-0123456789"));
                Api.Response granted = a.identity(clientId, "Chosen-Secret-0123456789");
                assertThat(granted.status()).as("%s: %s", backend, granted.text()).isEqualTo(200);
            }
        }
    }

    @Test
    void issueTokenWhenSecretWrongThen401InvalidClientWithoutTheSecret() {
        AdminClient.Service s = newService();
        Api.Response r = admin.identity(s.clientId(), "WrongSecretWrongSecretWrongSecret");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").asString()).isEqualTo("invalid_client");
        assertThat(r.json().path("error_description").asString()).isEqualTo("Bad client credentials");
        assertThat(r.text()).doesNotContain("WrongSecret").doesNotContain(s.clientSecret());
    }

    @Test
    void issueTokenWhenGrantTypeMissingOrUnsupportedThen400() {
        AdminClient.Service s = newService();
        Api.Response missing = api.get("/identity/oauth/token?client_id=" + s.clientId() + "&client_secret=" + s.clientSecret(), null);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().path("error").asString()).isEqualTo("invalid_request");
        Api.Response password = api.get("/identity/oauth/token?grant_type=password&client_id=" + s.clientId()
                + "&client_secret=" + s.clientSecret(), null);
        assertThat(password.status()).isEqualTo(400);
        assertThat(password.json().path("error").asString()).isEqualTo("unsupported_grant_type");
        Api.Response noSecret = api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + s.clientId(), null);
        assertThat(noSecret.status()).isEqualTo(400);
        assertThat(noSecret.json().path("error_description").asString()).isEqualTo("Missing client_secret");
    }

    @Test
    void issueTokenWhenCredentialsSentTwoWaysThen400() {
        AdminClient.Service s = newService();
        String basic = Base64.getEncoder().encodeToString((s.clientId() + ":" + s.clientSecret()).getBytes(StandardCharsets.UTF_8));
        Api.Response r = api.send(api.request("/identity/oauth/token?grant_type=client_credentials&client_id=" + s.clientId(), null)
                .header("Authorization", "Basic " + basic));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("error").asString()).isEqualTo("invalid_request");
        Api.Response malformed = api.send(api.request("/identity/oauth/token?grant_type=client_credentials", null)
                .header("Authorization", "Basic !!!"));
        assertThat(malformed.status()).isEqualTo(400);
    }

    @Test
    void issueTokenWhenServiceDeletedByAnotherProcessBeforeItsNoticeArrivesThen503TemporarilyUnavailable() throws Exception {
        // on a shared database another process learns of a deletion within its poll interval; until
        // then it still holds the service's credentials, but cannot record a token for it
        try (TestServer pg = TestServer.start(Backend.POSTGRES)) {
            AdminClient.Service s = pg.admin().serviceWith("Read-Only Lead");
            assertThat(pg.admin().identity(s.clientId(), "Wrong-Secret-0123456789").status()).isEqualTo(401); // credentials now held
            try (Connection c = DriverManager.getConnection(pg.dbUrl(), Backend.postgresUser(), "")) {
                c.createStatement().executeUpdate("DELETE FROM custom_service WHERE id = " + s.id());
            }
            Api.Response r = pg.admin().identity(s.clientId(), s.clientSecret());
            assertThat(r.status()).as(r.text()).isEqualTo(503);
            assertThat(r.json().path("error").asString()).isEqualTo("temporarily_unavailable");
        }
    }

    @Test
    void issueTokenWhenServiceDisabledThen401AndItsLiveTokenStopsAtOnce() {
        AdminClient.Service s = newService();
        String token = admin.token(s);
        assertThat(admin.patch("/services/" + s.id(), Map.of("enabled", false)).status()).isEqualTo(200);
        Api.Response r = admin.identity(s.clientId(), s.clientSecret());
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").asString()).isEqualTo("unauthorized");
        assertThat(r.json().path("error_description").asString()).contains("disabled");
        assertThat(api.get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("601");
        admin.patch("/services/" + s.id(), Map.of("enabled", true));
        String fresh = admin.token(s);
        assertThat(fresh).isNotEqualTo(token);
        assertThat(api.get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("601");
        assertThat(api.get("/rest/v1/leads/describe.json", fresh).success()).isTrue();
    }

    @Test
    void issueTokenWhenUserDeactivatedThen401AndTokensStop() {
        AdminClient.Service s = newService();
        String token = admin.token(s);
        assertThat(admin.patch("/users/" + s.userId(), Map.of("active", false)).status()).isEqualTo(200);
        Api.Response r = admin.identity(s.clientId(), s.clientSecret());
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error_description").asString()).contains("deactivated").contains(s.userEmail());
        assertThat(api.get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("601");
    }

    @Test
    void issueTokenWhenUserAccessExpiredThen401AndTokensStop() {
        AdminClient.Service s = newService();
        String token = admin.token(s);
        Instant expiry = server.clock().instant().plus(Duration.ofMinutes(5));
        assertThat(admin.patch("/users/" + s.userId(), Map.of("expiresAt", expiry.toString())).status()).isEqualTo(200);
        assertThat(api.get("/rest/v1/leads/describe.json", token).success()).isTrue();
        server.clock().advance(Duration.ofMinutes(6));
        assertThat(api.get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("601");
        Api.Response r = admin.identity(s.clientId(), s.clientSecret());
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error_description").asString()).contains("expired");
    }

    @Test
    void issueTokenWhenServiceDeletedThenClientUnknownAndTokenInvalid() {
        AdminClient.Service s = newService();
        String token = admin.token(s);
        assertThat(admin.delete("/services/" + s.id()).status()).isEqualTo(204);
        assertThat(admin.identity(s.clientId(), s.clientSecret()).json().path("error_description").asString())
                .startsWith("No client with requested id");
        assertThat(api.get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("601");
    }

    @Test
    void getTokenInLaunchPointWhenIdentityAlreadyIssuedOneThenSameToken() {
        AdminClient.Service s = newService();
        String token = admin.token(s);
        Api.Response r = admin.post("/services/" + s.id() + "/token", Map.of());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("access_token").asString()).isEqualTo(token);
        assertThat(r.json().path("expires_in").asLong()).isBetween(1L, 3600L);
    }

    @Test
    void issueTokenWhenInstanceTtlChangedThenNewTokensLiveThatLong() {
        assertThat(admin.patch("/instance", Map.of("tokenTtlSeconds", 120)).status()).isEqualTo(200);
        try {
            AdminClient.Service s = newService();
            assertThat(admin.identity(s.clientId(), s.clientSecret()).json().path("expires_in").asLong()).isEqualTo(120);
        } finally {
            admin.patch("/instance", Map.of("tokenTtlSeconds", 3600));
        }
    }

    @Test
    void storeWhenTokenIssuedThenOnlyItsHashAndAnEncryptedSecretAreKept() throws Exception {
        AdminClient.Service s = newService();
        String token = admin.token(s);
        try (Connection c = DriverManager.getConnection(server.dbUrl(), "", "")) {
            // on the embedded database a token is written just after its grant answers
            List<String> hashes = new ArrayList<>();
            for (long deadline = System.nanoTime() + 5_000_000_000L; !hashes.contains(KeyRing.sha256(token))
                    && System.nanoTime() < deadline; Thread.sleep(10)) {
                hashes.clear();
                try (ResultSet rs = c.createStatement().executeQuery("SELECT token_hash FROM access_token")) {
                    while (rs.next()) {
                        hashes.add(rs.getString(1));
                    }
                }
            }
            assertThat(hashes).contains(KeyRing.sha256(token)).doesNotContain(token);
            try (ResultSet rs = c.createStatement().executeQuery("SELECT * FROM custom_service WHERE id = " + s.id())) {
                rs.next();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    String v = rs.getString(i);
                    if (v != null) {
                        assertThat(v).doesNotContain(s.clientSecret()).doesNotContain(token);
                    }
                }
            }
        }
    }

    @Test
    void issueTokenWhenMethodIsPutThen400() {
        Api.Response r = api.method("PUT", "/identity/oauth/token", null, null, null);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("error").asString()).isEqualTo("invalid_request");
    }
}
