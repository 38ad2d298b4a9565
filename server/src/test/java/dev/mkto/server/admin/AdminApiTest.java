package dev.mkto.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.http.Json;
import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.OnEveryBackend;
import dev.mkto.server.testing.RawHttp;
import dev.mkto.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The admin JSON API ({@code /admin/api/v1}) over HTTP, on H2 and on PostgreSQL: the admin
 * credential, the instance, the permission catalog, partitions, workspaces, roles, users, custom
 * services and custom lead fields, the rules that keep them consistent, and the errors (never a 500).
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class AdminApiTest extends OnEveryBackend {

    private static final String BASE = "/admin/api/v1";
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    private static final String SECRET = "[A-Za-z0-9]{32}";

    /** The 34 API permissions of spec part 0: the seed's 24, the endpoint table's extras, and the parent. */
    private static final List<String> CATALOG = List.of(
            "Access API", "Approve Assets", "Execute Campaign", "Activate Campaign", "Deactivate Campaign",
            "Read-Only Activity", "Read-Write Activity", "Read-Only Activity Metadata", "Read-Write Activity Metadata",
            "Read-Only Assets", "Read-Write Assets", "Read-Only Campaign", "Read-Write Campaign",
            "Read-Only Company", "Read-Write Company", "Read-Only Custom Object", "Read-Write Custom Object",
            "Read-Only Custom Object Type", "Read-Write Custom Object Type", "Read-Only Lead", "Read-Write Lead",
            "Read-Only Named Account", "Read-Write Named Account", "Read-Only Named Account List", "Read-Write Named Account List",
            "Read-Only Opportunity", "Read-Write Opportunity", "Read-Only Sales Person", "Read-Write Sales Person",
            "Read-Only Redirect Rules", "Read-Write Redirect Rules", "Read-Write Schema Standard Field",
            "Read-Write Schema Custom Field", "Access User Management Api");

    private String reader;

    @Override
    protected void fixtures() {
        reader = AdminClient.unique("Reader");
        admin.role(reader, "Read-Only Lead");
    }

    // ----- helpers ---------------------------------------------------------------------------

    private Api.Response call(String method, String path, Object body) {
        return api.method(method, BASE + path, TestServer.ADMIN_TOKEN, body == null ? null : "application/json",
                body == null ? null : Json.MAPPER.writeValueAsString(body));
    }

    private Api.Response raw(String method, String path, String contentType, String body) {
        return api.method(method, BASE + path, TestServer.ADMIN_TOKEN, contentType, body);
    }

    private static JsonNode ok(Api.Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json();
    }

    /** An admin error: the status, {@code {"error": {status, code, message}}} as JSON; returns the message. */
    private static String refused(Api.Response r, int status, String code) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.headers().get("content-type")).anySatisfy(ct -> assertThat(ct).startsWith("application/json"));
        JsonNode e = r.json().path("error");
        assertThat(e.path("status").asInt()).as(r.text()).isEqualTo(status);
        assertThat(e.path("code").asString()).as(r.text()).isEqualTo(code);
        assertThat(e.path("message").asString()).as(r.text()).isNotBlank();
        return e.path("message").asString();
    }

    private static String invalid(Api.Response r) {
        return refused(r, 400, "invalid");
    }

    private static ObjectNode object(Object... keyValues) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            n.set((String) keyValues[i], Json.MAPPER.valueToTree(keyValues[i + 1]));
        }
        return n;
    }

    private static String unique(String prefix) {
        return AdminClient.unique(prefix);
    }

    private static String email(String prefix) {
        return unique(prefix).toLowerCase() + "@example.com";
    }

    /** A lead-field name: a letter, then letters, digits and '_'. */
    private static String fieldName(String prefix) {
        return unique(prefix).replace('-', '_');
    }

    /** An active API-only user holding the reader role in Default. */
    private String apiUser() {
        String email = email("api");
        admin.apiUser(email, reader);
        return email;
    }

    private long userId(String email) {
        for (JsonNode u : admin.get("/users").json()) {
            if (u.path("email").asString().equalsIgnoreCase(email)) {
                return u.path("id").asLong();
            }
        }
        throw new AssertionError("no user " + email);
    }

    private List<String> names(String collection) {
        List<String> out = new ArrayList<>();
        admin.get(collection).json().forEach(n -> out.add(n.path("name").asString()));
        return out;
    }

    /** A token for a new service whose user holds {@code permission} in {@code workspace}. */
    private String tokenIn(String workspace, String permission) {
        String role = unique("role");
        admin.role(role, permission);
        String email = email("tok");
        admin.apiUser(email, role, workspace);
        return admin.token(admin.service(unique("svc"), email));
    }

    // ----- the admin credential --------------------------------------------------------------

    @Test
    void callWhenBearerMissingThen401WithWwwAuthenticate() {
        Api.Response r = api.get(BASE + "/instance", null);
        assertThat(refused(r, 401, "unauthorized")).contains("Authorization: Bearer");
        assertThat(r.headers().get("www-authenticate")).containsExactly("Bearer realm=\"mkto-admin\"");
    }

    @Test
    void callWhenCredentialWrongOrSentOtherwiseThen401WithWwwAuthenticate() {
        String basic = Base64.getEncoder().encodeToString(("admin:" + TestServer.ADMIN_TOKEN).getBytes(StandardCharsets.UTF_8));
        List<String> headers = List.of("Bearer wrong-token-0123456789", "Bearer " + TestServer.ADMIN_TOKEN + "x",
                "Bearer", "Bearer ", TestServer.ADMIN_TOKEN, "Basic " + basic, "Token " + TestServer.ADMIN_TOKEN);
        for (String header : headers) {
            Api.Response r = api.send(api.request(BASE + "/instance", null).header("Authorization", header));
            assertThat(r.status()).as(header).isEqualTo(401);
            refused(r, 401, "unauthorized");
            assertThat(r.headers().get("www-authenticate")).as(header).containsExactly("Bearer realm=\"mkto-admin\"");
        }
        // the credential is checked before anything else is revealed
        refused(api.get(BASE + "/no/such/thing", "wrong-token-0123456789"), 401, "unauthorized");
        refused(api.method("PUT", BASE + "/roles", null, null, null), 401, "unauthorized");
        refused(api.post(BASE + "/roles", "wrong-token-0123456789", Map.of("name", unique("never"))), 401, "unauthorized");
    }

    @Test
    void callWhenAnApiAccessTokenIsPresentedThen401() {
        String token = admin.tokenWith("Access API");
        refused(api.get(BASE + "/instance", token), 401, "unauthorized");
    }

    @Test
    void callWhenCredentialRightThen200WhateverTheSchemeCase() {
        assertThat(api.get(BASE + "/instance", TestServer.ADMIN_TOKEN).status()).isEqualTo(200);
        Api.Response lower = api.send(api.request(BASE + "/instance", null).header("Authorization", "bearer   " + TestServer.ADMIN_TOKEN));
        assertThat(lower.status()).isEqualTo(200);
        assertThat(lower.headers()).doesNotContainKey("www-authenticate");
    }

    @Test
    void callWhenUnauthenticatedThen401WhateverTheMethodOrSpellingOfThePath() {
        int port = java.net.URI.create(api.base()).getPort();
        for (String target : List.of(BASE + "/instance", "/" + BASE + "/instance", BASE + "/../v1/instance", BASE + "/%2e%2e/v1/instance",
                "/admin/%61pi/v1/instance", BASE + "/instance/", BASE + "/", BASE, "/admin/api//v1/instance", "/admin/x/../api/v1/instance",
                BASE + ";x=1/instance", BASE + "/services/1/details", "http://localhost" + BASE + "/instance")) {
            for (String method : List.of("GET", "HEAD", "OPTIONS", "POST", "PATCH", "DELETE", "TRACE")) {
                RawHttp.Response r = RawHttp.exchange(port, RawHttp.request(method, target,
                        Map.of("Origin", "https://evil.example", "Access-Control-Request-Method", "PATCH"), null));
                // HEAD is answered before any route, the same on every path: 405, no body (see BadInputTest)
                assertThat(r.status()).as("%s %s", method, target).isEqualTo(method.equals("HEAD") ? 405 : 401);
                assertThat(r.head().toLowerCase()).as("%s %s", method, target).doesNotContain("access-control-allow");
            }
        }
        Api.Response preflight = api.send(api.request(BASE + "/instance", TestServer.ADMIN_TOKEN)
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody()).header("Origin", "https://evil.example"));
        assertThat(preflight.headers().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-allow"));
        Api.Response withOrigin = api.send(api.request(BASE + "/instance", TestServer.ADMIN_TOKEN).header("Origin", "https://evil.example"));
        assertThat(withOrigin.status()).isEqualTo(200);
        assertThat(withOrigin.headers().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-allow"));
    }

    /** Answers carry client secrets and tokens ("View Details", "Get Token", a new service): no cache may keep them. */
    @Test
    void answersWhenTheyMayCarrySecretsThenNoStoreAndNoSniff() {
        String owner = apiUser();
        JsonNode created = admin.create("/services", Map.of("name", unique("Cached"), "user", owner));
        long id = created.path("id").asLong();
        List<Api.Response> answers = List.of(
                call("GET", "/services/" + id + "/details", null),
                call("POST", "/services/" + id + "/token", null),
                call("POST", "/services/" + id + "/secret", Map.of()),
                call("POST", "/services", Map.of("name", unique("Cached"), "user", owner)),
                call("GET", "/services", null),
                call("GET", "/nothing", null),
                api.get(BASE + "/services/" + id + "/details", "wrong-token-0123456789"));
        for (Api.Response r : answers) {
            assertThat(r.headers().get("cache-control")).as(r.text()).containsExactly("no-store");
            assertThat(r.headers().get("x-content-type-options")).as(r.text()).containsExactly("nosniff");
        }
    }

    /**
     * The admin credential cannot be guessed at the API any more than at the console's sign-in:
     * after 20 wrong ones from an address in 15 minutes, that address is refused (429) for 15
     * minutes — even with the right one, so the answer never tells a guess was right. Other
     * addresses are not affected. (Trusted proxies tell the address, as at the console.)
     */
    @Test
    void callWhenTwentyWrongCredentialsFromOneAddressThen429ForFifteenMinutesEvenWithTheRightOne() {
        JsonNode before = ok(call("GET", "/instance", null));
        ok(call("PATCH", "/instance", Map.of("ipAllowlist", Map.of("trustedProxies", List.of("127.0.0.1")))));
        try {
            String attacker = "198.51.100.21";
            for (int i = 0; i < 19; i++) {
                refused(api.send(api.request(BASE + "/instance", "guess-" + i).header("X-Forwarded-For", attacker)), 401, "unauthorized");
            }
            Api.Response twentieth = api.send(api.request(BASE + "/instance", "guess-20").header("X-Forwarded-For", attacker));
            assertThat(refused(twentieth, 429, "too_many_failures")).contains("until");
            Api.Response right = api.send(api.request(BASE + "/instance", TestServer.ADMIN_TOKEN).header("X-Forwarded-For", attacker));
            refused(right, 429, "too_many_failures");
            assertThat(right.headers().get("retry-after")).hasSize(1);
            assertThat(api.send(api.request(BASE + "/instance", TestServer.ADMIN_TOKEN).header("X-Forwarded-For", "198.51.100.22"))
                    .status()).isEqualTo(200);
            server.clock().advance(Duration.ofMinutes(15));
            assertThat(api.send(api.request(BASE + "/instance", TestServer.ADMIN_TOKEN).header("X-Forwarded-For", attacker)).status())
                    .isEqualTo(200);
        } finally {
            restore(before);
        }
    }

    /**
     * An IPv6 attacker holds a /64 at least: its addresses share one count, so moving to the next
     * address does not buy 20 more guesses. Another /64 is not affected.
     */
    @Test
    void callWhenTwentyWrongCredentialsFromOneIpv6Slash64ThenEveryAddressOfItIsLockedOut() {
        JsonNode before = ok(call("GET", "/instance", null));
        ok(call("PATCH", "/instance", Map.of("ipAllowlist", Map.of("trustedProxies", List.of("127.0.0.1")))));
        try {
            for (int i = 0; i < 19; i++) {
                String address = "2001:db8:1:2:" + Integer.toHexString(i) + "::" + Integer.toHexString(i + 1);
                refused(api.send(api.request(BASE + "/instance", "guess-" + i).header("X-Forwarded-For", address)), 401, "unauthorized");
            }
            Api.Response twentieth = api.send(api.request(BASE + "/instance", "guess-20").header("X-Forwarded-For", "2001:db8:1:2:ffff::7"));
            refused(twentieth, 429, "too_many_failures");
            refused(api.send(api.request(BASE + "/instance", TestServer.ADMIN_TOKEN).header("X-Forwarded-For", "[2001:DB8:1:2::99]")), 429,
                    "too_many_failures");
            assertThat(api.send(api.request(BASE + "/instance", TestServer.ADMIN_TOKEN).header("X-Forwarded-For", "2001:db8:1:3::1"))
                    .status()).isEqualTo(200);
        } finally {
            server.clock().advance(Duration.ofMinutes(15));
            restore(before);
        }
    }

    // ----- instance --------------------------------------------------------------------------

    @Test
    void instanceWhenReadThenMunchkinIdAndDefaultSettings() {
        JsonNode i = ok(call("GET", "/instance", null));
        assertThat(i.path("id").asLong()).isPositive();
        assertThat(i.path("munchkinId").asString()).isEqualTo("123-ABC-456");
        assertThat(i.path("tokenTtlSeconds").asInt()).isEqualTo(3600);
        assertThat(i.path("allowQueryToken").asBoolean()).isFalse();
        assertThat(i.path("limits")).isEqualTo(object("rateCalls", 100, "rateWindowSeconds", 20, "concurrent", 10,
                "dailyQuota", 50_000, "timeZone", "America/Chicago", "exportDailyQuotaMb", 500));
        assertThat(i.path("ipAllowlist")).isEqualTo(object("enabled", false, "entries", List.of(), "applyToIdentity", false,
                "trustedProxies", List.of()));
        assertThat(i.path("createdAt").asString()).isNotBlank();
        assertThat(i.path("updatedAt").asString()).isNotBlank();
    }

    @Test
    void instanceWhenPatchedThenGivenFieldsMergeAndTheRestStays() {
        JsonNode before = ok(call("GET", "/instance", null));
        try {
            server.clock().advance(Duration.ofSeconds(1));
            JsonNode a = ok(call("PATCH", "/instance", Map.of("limits", Map.of("rateCalls", 50))));
            assertThat(a.path("limits").path("rateCalls").asInt()).isEqualTo(50);
            for (String kept : List.of("rateWindowSeconds", "concurrent", "dailyQuota", "timeZone", "exportDailyQuotaMb")) {
                assertThat(a.path("limits").path(kept)).as(kept).isEqualTo(before.path("limits").path(kept));
            }
            assertThat(a.path("tokenTtlSeconds")).isEqualTo(before.path("tokenTtlSeconds"));
            assertThat(a.path("ipAllowlist")).isEqualTo(before.path("ipAllowlist"));
            assertThat(a.path("updatedAt").asString()).isNotEqualTo(before.path("updatedAt").asString());
            assertThat(a.path("createdAt")).isEqualTo(before.path("createdAt"));

            JsonNode b = ok(call("PATCH", "/instance", Map.of("limits", Map.of("timeZone", "Europe/Paris", "dailyQuota", 1000))));
            assertThat(b.path("limits")).isEqualTo(object("rateCalls", 50, "rateWindowSeconds", 20, "concurrent", 10,
                    "dailyQuota", 1000, "timeZone", "Europe/Paris", "exportDailyQuotaMb", 500));

            JsonNode c = ok(call("PATCH", "/instance", Map.of("ipAllowlist", Map.of("entries",
                    List.of(" 127.0.0.1 ", "10.0.*.*", "192.168.1.10-192.168.1.20", "2001:db8::/32")))));
            assertThat(c.path("ipAllowlist").path("entries")).isEqualTo(Json.MAPPER.valueToTree(
                    List.of("127.0.0.1", "10.0.*.*", "192.168.1.10-192.168.1.20", "2001:db8::/32")));
            assertThat(c.path("ipAllowlist").path("enabled").asBoolean()).isFalse();
            JsonNode d = ok(call("PATCH", "/instance", Map.of("ipAllowlist", Map.of("applyToIdentity", true), "tokenTtlSeconds", 1800)));
            assertThat(d.path("ipAllowlist").path("entries")).isEqualTo(c.path("ipAllowlist").path("entries"));
            assertThat(d.path("ipAllowlist").path("applyToIdentity").asBoolean()).isTrue();
            assertThat(d.path("tokenTtlSeconds").asInt()).isEqualTo(1800);
            assertThat(ok(call("GET", "/instance", null)).path("limits")).isEqualTo(b.path("limits"));
            assertThat(ok(call("PATCH", "/instance", Map.of())).path("limits")).isEqualTo(b.path("limits"));
        } finally {
            restore(before);
        }
    }

    /**
     * Concurrent changes of different settings (or of a role's name, description and permissions, or
     * of a campaign's description, requestable and active) each keep their change: a PATCH merges with what is stored when it writes, not with what it
     * read before another PATCH wrote. Repeated, since the loss depended on timing.
     */
    @Test
    void patchWhenConcurrentCallsChangeDifferentSettingsOfOneInstanceRoleOrCampaignThenEveryChangeIsKept() throws Exception {
        JsonNode before = ok(call("GET", "/instance", null));
        long role = admin.role(AdminClient.unique("Together"), "Read-Only Lead");
        Api.Response created = call("POST", "/campaigns", Map.of("name", AdminClient.unique("Together"), "type", "trigger", "workspace", "Default",
                "requestable", false, "active", false));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        long campaign = created.json().path("id").asLong();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            for (int round = 0; round < 4; round++) {
                List<Map<String, Object>> patches = List.of(Map.of("tokenTtlSeconds", 3000 + round), Map.of("allowQueryToken", round % 2 == 0),
                        Map.of("limits", Map.of("rateCalls", 200 + round)), Map.of("limits", Map.of("concurrent", 20 + round)),
                        Map.of("limits", Map.of("dailyQuota", 60_000 + round)), Map.of("ipAllowlist", Map.of("entries", List.of("10." + round + ".0.1"))));
                List<Future<Api.Response>> calls = new ArrayList<>();
                patches.forEach(p -> calls.add(pool.submit(() -> call("PATCH", "/instance", p))));
                for (Future<Api.Response> c : calls) {
                    ok(c.get());
                }
                JsonNode i = ok(call("GET", "/instance", null));
                assertThat(i.path("tokenTtlSeconds").asInt()).as("round %d: %s", round, i).isEqualTo(3000 + round);
                assertThat(i.path("allowQueryToken").asBoolean()).as("round %d: %s", round, i).isEqualTo(round % 2 == 0);
                assertThat(i.path("limits").path("rateCalls").asInt()).as("round %d: %s", round, i).isEqualTo(200 + round);
                assertThat(i.path("limits").path("concurrent").asInt()).as("round %d: %s", round, i).isEqualTo(20 + round);
                assertThat(i.path("limits").path("dailyQuota").asInt()).as("round %d: %s", round, i).isEqualTo(60_000 + round);
                assertThat(i.path("ipAllowlist").path("entries").get(0).asString()).as("round %d: %s", round, i).isEqualTo("10." + round + ".0.1");

                String name = AdminClient.unique("Renamed");
                String description = "round " + round;
                List<String> permissions = round % 2 == 0 ? List.of("Read-Write Lead") : List.of("Read-Only Activity", "Read-Only Lead");
                List<Future<Api.Response>> roleCalls = List.of(
                        pool.submit(() -> call("PATCH", "/roles/" + role, Map.of("name", name))),
                        pool.submit(() -> call("PATCH", "/roles/" + role, Map.of("description", description))),
                        pool.submit(() -> call("PATCH", "/roles/" + role, Map.of("permissions", permissions))));
                for (Future<Api.Response> c : roleCalls) {
                    ok(c.get());
                }
                JsonNode r = ok(call("GET", "/roles/" + role, null));
                assertThat(r.path("name").asString()).as("round %d: %s", round, r).isEqualTo(name);
                assertThat(r.path("description").asString()).as("round %d: %s", round, r).isEqualTo(description);
                assertThat(r.path("permissions")).as("round %d: %s", round, r).isEqualTo(Json.MAPPER.valueToTree(permissions));

                boolean on = round % 2 == 0;
                List<Future<Api.Response>> campaignCalls = List.of(
                        pool.submit(() -> call("PATCH", "/campaigns/" + campaign, Map.of("description", description))),
                        pool.submit(() -> call("PATCH", "/campaigns/" + campaign, Map.of("requestable", on))),
                        pool.submit(() -> call("PATCH", "/campaigns/" + campaign, Map.of("active", on))));
                for (Future<Api.Response> c : campaignCalls) {
                    ok(c.get());
                }
                JsonNode c = ok(call("GET", "/campaigns/" + campaign, null));
                assertThat(c.path("description").asString()).as("round %d: %s", round, c).isEqualTo(description);
                assertThat(c.path("requestable").asBoolean()).as("round %d: %s", round, c).isEqualTo(on);
                assertThat(c.path("active").asBoolean()).as("round %d: %s", round, c).isEqualTo(on);
            }
        } finally {
            pool.shutdownNow();
            restore(before);
        }
    }

    /** Six requests creating the same name at the same moment: one 201, five 409 (a unique key settles the race), never a 500. */
    @Test
    void createWhenSixRequestsCreateTheSameNameAtOnceThenOne201AndFive409() throws Exception {
        String base = AdminClient.unique("Race");
        String role = base + "-role";
        admin.role(role, "Read-Only Lead");
        String owner = AdminClient.unique("race") + "@example.com";
        assertThat(call("POST", "/users", Map.of("email", owner, "apiOnly", true, "roles", List.of(Map.of("role", role, "workspace", "Default"))))
                .status()).isEqualTo(201);
        Map<String, Map<String, Object>> bodies = new LinkedHashMap<>();
        bodies.put("/roles", Map.of("name", base, "permissions", List.of("Read-Only Lead")));
        bodies.put("/users", Map.of("email", base.toLowerCase(java.util.Locale.ROOT) + "@example.com", "apiOnly", true,
                "roles", List.of(Map.of("role", role, "workspace", "Default"))));
        bodies.put("/services", Map.of("name", base, "user", owner));
        bodies.put("/fields", Map.of("name", "race" + base.replaceAll("[^A-Za-z0-9]", ""), "dataType", "string", "length", 100));
        bodies.put("/lists", Map.of("name", base, "workspace", "Default"));
        bodies.put("/campaigns", Map.of("name", base, "type", "batch", "workspace", "Default"));
        bodies.put("/partitions", Map.of("name", base));
        bodies.put("/workspaces", Map.of("name", base, "partitions", List.of("Default")));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            for (Map.Entry<String, Map<String, Object>> e : bodies.entrySet()) {
                List<Future<Api.Response>> calls = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    calls.add(pool.submit(() -> call("POST", e.getKey(), e.getValue())));
                }
                List<Integer> statuses = new ArrayList<>();
                for (Future<Api.Response> c : calls) {
                    Api.Response r = c.get();
                    statuses.add(r.status());
                    if (r.status() == 409) {
                        assertThat(r.json().path("error").path("code").asString()).as(e.getKey() + ": " + r.text()).isEqualTo("conflict");
                    }
                }
                assertThat(statuses).as(e.getKey()).containsOnly(201, 409).filteredOn(st -> st == 201).hasSize(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void restore(JsonNode instance) {
        ok(call("PATCH", "/instance", object("tokenTtlSeconds", instance.path("tokenTtlSeconds"),
                "allowQueryToken", instance.path("allowQueryToken"), "limits", instance.path("limits"),
                "ipAllowlist", instance.path("ipAllowlist"), "munchkinId", instance.path("munchkinId"))));
    }

    @Test
    void instanceWhenAValueIsInvalidThen400NamingTheFieldAndNothingChanges() {
        JsonNode before = ok(call("GET", "/instance", null));
        List<Map.Entry<String, Object>> bad = List.of(
                Map.entry("instance.tokenTtlSeconds", Map.of("tokenTtlSeconds", 0)),
                Map.entry("instance.tokenTtlSeconds", Map.of("tokenTtlSeconds", "3600")),
                Map.entry("instance.tokenTtlSeconds", Map.of("tokenTtlSeconds", 604_801)),
                Map.entry("instance.allowQueryToken", Map.of("allowQueryToken", "yes")),
                Map.entry("instance.limits.rateCalls", Map.of("limits", Map.of("rateCalls", 0))),
                Map.entry("instance.limits.rateWindowSeconds", Map.of("limits", Map.of("rateWindowSeconds", 1.5))),
                Map.entry("instance.limits.concurrent", Map.of("limits", Map.of("concurrent", -1))),
                Map.entry("instance.limits.dailyQuota", Map.of("limits", Map.of("dailyQuota", 10_000_000_000L))),
                Map.entry("instance.limits", Map.of("limits", "fast")),
                Map.entry("instance.ipAllowlist.entries", Map.of("ipAllowlist", Map.of("entries", "127.0.0.1"))),
                Map.entry("instance.ipAllowlist.entries", Map.of("ipAllowlist", Map.of("entries", List.of(" ")))),
                Map.entry("instance.ipAllowlist.enabled", Map.of("ipAllowlist", Map.of("enabled", "true"))),
                Map.entry("instance.ipAllowlist", Map.of("ipAllowlist", List.of())),
                // a good value beside a bad one is not applied either
                Map.entry("instance.limits.rateCalls", Map.of("tokenTtlSeconds", 120, "limits", Map.of("rateCalls", -5))));
        for (Map.Entry<String, Object> b : bad) {
            assertThat(invalid(call("PATCH", "/instance", b.getValue()))).as("%s", b.getValue()).contains(b.getKey());
        }
        JsonNode after = ok(call("GET", "/instance", null));
        assertThat(after).isEqualTo(before);
    }

    @Test
    void instanceWhenAKeyIsUnknownThen400NamingIt() {
        JsonNode before = ok(call("GET", "/instance", null));
        assertThat(invalid(call("PATCH", "/instance", Map.of("tokenTTL", 5)))).contains("unknown key 'tokenTTL'").contains("tokenTtlSeconds");
        assertThat(invalid(call("PATCH", "/instance", Map.of("limits", Map.of("rate", 5))))).contains("instance.limits").contains("unknown key 'rate'");
        assertThat(invalid(call("PATCH", "/instance", Map.of("ipAllowlist", Map.of("entry", List.of())))))
                .contains("instance.ipAllowlist").contains("unknown key 'entry'");
        assertThat(invalid(call("PATCH", "/instance", Map.of("createdAt", "2020-01-01T00:00:00Z")))).contains("unknown key 'createdAt'");
        assertThat(ok(call("GET", "/instance", null))).isEqualTo(before);
    }

    @Test
    void instanceWhenTimeZoneUnknownThen400NamingItAndAnIanaNameWorks() {
        JsonNode before = ok(call("GET", "/instance", null));
        assertThat(invalid(call("PATCH", "/instance", Map.of("limits", Map.of("timeZone", "Mars/Olympus_Mons")))))
                .contains("instance.limits.timeZone").contains("Mars/Olympus_Mons");
        assertThat(invalid(call("PATCH", "/instance", Map.of("limits", Map.of("timeZone", ""))))).contains("instance.limits.timeZone");
        assertThat(invalid(call("PATCH", "/instance", Map.of("limits", Map.of("timeZone", 5))))).contains("instance.limits.timeZone");
        assertThat(ok(call("GET", "/instance", null))).isEqualTo(before);
        try {
            assertThat(ok(call("PATCH", "/instance", Map.of("limits", Map.of("timeZone", "Asia/Kolkata")))).path("limits").path("timeZone")
                    .asString()).isEqualTo("Asia/Kolkata");
        } finally {
            restore(before);
        }
    }

    @Test
    void instanceWhenMunchkinIdMalformedThen400AndAWellFormedOneIsShown() {
        JsonNode before = ok(call("GET", "/instance", null));
        for (Object bad : List.of("123-abc-456", "12-ABC-456", "123ABC456", "", 123456)) {
            assertThat(invalid(call("PATCH", "/instance", Map.of("munchkinId", bad)))).as("%s", bad).contains("munchkinId");
        }
        try {
            assertThat(ok(call("PATCH", "/instance", Map.of("munchkinId", " 999-XYZ-999 "))).path("munchkinId").asString())
                    .isEqualTo("999-XYZ-999");
            assertThat(ok(call("GET", "/instance", null)).path("munchkinId").asString()).isEqualTo("999-XYZ-999");
        } finally {
            restore(before);
        }
        assertThat(ok(call("GET", "/instance", null)).path("munchkinId").asString()).isEqualTo("123-ABC-456");
    }

    // ----- permissions -----------------------------------------------------------------------

    @Test
    void permissionsWhenListedThenTheCatalogWithAliasesAndImplications() {
        JsonNode catalog = ok(call("GET", "/permissions", null));
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        catalog.forEach(p -> byName.put(p.path("name").asString(), p));
        assertThat(byName.keySet()).containsExactlyInAnyOrderElementsOf(CATALOG);
        assertThat(strings(byName.get("Read-Only Lead").path("aliases"))).containsExactly("Read-Only Person");
        assertThat(strings(byName.get("Read-Write Lead").path("aliases"))).containsExactly("Read-Write Person");
        assertThat(strings(byName.get("Read-Only Campaign").path("aliases"))).containsExactly("Read-Only Campaigns");
        assertThat(strings(byName.get("Read-Write Campaign").path("aliases"))).containsExactly("Read-Write Campaigns");
        assertThat(strings(byName.get("Read-Only Assets").path("aliases"))).containsExactly("Read-Only Asset");
        assertThat(strings(byName.get("Read-Write Assets").path("aliases"))).containsExactly("Read-Write Asset");
        assertThat(strings(byName.get("Execute Campaign").path("aliases"))).isEmpty();
        assertThat(strings(byName.get("Read-Write Lead").path("implies"))).containsExactly("Read-Only Lead");
        assertThat(strings(byName.get("Read-Write Custom Object Type").path("implies"))).containsExactly("Read-Only Custom Object Type");
        assertThat(strings(byName.get("Read-Only Lead").path("implies"))).isEmpty();
        assertThat(strings(byName.get("Execute Campaign").path("implies"))).isEmpty();
        assertThat(strings(byName.get("Access API").path("implies")))
                .containsExactlyInAnyOrderElementsOf(CATALOG.stream().filter(n -> !n.equals("Access API")).toList());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    // ----- partitions ------------------------------------------------------------------------

    @Test
    void partitionWhenCreatedReadRenamedAndDeletedThenEachStepShows() {
        String name = unique("Part");
        JsonNode created = admin.create("/partitions", Map.of("name", "  " + name + " ", "description", "Europe"));
        long id = created.path("id").asLong();
        assertThat(created.path("name").asString()).isEqualTo(name);
        assertThat(created.path("description").asString()).isEqualTo("Europe");
        assertThat(created.path("createdAt").asString()).isNotBlank();
        assertThat(ok(call("GET", "/partitions/" + id, null))).isEqualTo(created);
        assertThat(names("/partitions")).contains("Default", name);

        JsonNode renamed = ok(call("PATCH", "/partitions/" + id, Map.of("name", name + "-renamed")));
        assertThat(renamed.path("name").asString()).isEqualTo(name + "-renamed");
        assertThat(renamed.path("description").asString()).isEqualTo("Europe");
        JsonNode described = ok(call("PATCH", "/partitions/" + id, Map.of("description", "EMEA")));
        assertThat(described.path("name").asString()).isEqualTo(name + "-renamed");
        assertThat(described.path("description").asString()).isEqualTo("EMEA");

        Api.Response deleted = call("DELETE", "/partitions/" + id, null);
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(deleted.text()).isEmpty();
        assertThat(refused(call("GET", "/partitions/" + id, null), 404, "not_found")).contains(String.valueOf(id));
        refused(call("DELETE", "/partitions/" + id, null), 404, "not_found");
        assertThat(names("/partitions")).doesNotContain(name + "-renamed");
    }

    @Test
    void partitionWhenNameBlankTooLongMistypedOrTakenThenRefused() {
        String taken = unique("Taken");
        long other = admin.partition(unique("Other"));
        admin.partition(taken);
        assertThat(invalid(call("POST", "/partitions", Map.of()))).contains("partition name");
        assertThat(invalid(call("POST", "/partitions", Map.of("name", "   ")))).contains("partition name");
        assertThat(invalid(call("POST", "/partitions", Map.of("name", "x".repeat(256))))).contains("255");
        assertThat(invalid(call("POST", "/partitions", Map.of("name", "line\nbreak")))).contains("control");
        assertThat(invalid(call("POST", "/partitions", Map.of("name", 5)))).contains("name must be a string");
        assertThat(invalid(call("POST", "/partitions", Map.of("name", unique("P"), "colour", "red")))).contains("unknown key 'colour'");
        assertThat(invalid(call("POST", "/partitions", Map.of("name", unique("P"), "description", "d".repeat(2001))))).contains("2000");
        assertThat(refused(call("POST", "/partitions", Map.of("name", taken)), 409, "conflict")).contains(taken);
        assertThat(refused(call("PATCH", "/partitions/" + other, Map.of("name", taken)), 409, "conflict")).contains(taken);
        assertThat(names("/partitions").stream().filter(n -> n.equals(taken))).hasSize(1);
    }

    @Test
    void partitionWhenMappedToAWorkspaceThenDeleteIs409NamingTheWorkspace() {
        String p = unique("Mapped");
        long id = admin.partition(p);
        String w = unique("Sees");
        long ws = admin.workspace(w, p);
        assertThat(refused(call("DELETE", "/partitions/" + id, null), 409, "in_use")).contains(p).contains(w);
        long defaultPartition = admin.get("/partitions").json().get(0).path("id").asLong();
        assertThat(refused(call("DELETE", "/partitions/" + defaultPartition, null), 409, "in_use")).contains("Default");
        assertThat(call("DELETE", "/workspaces/" + ws, null).status()).isEqualTo(204);
        assertThat(call("DELETE", "/partitions/" + id, null).status()).isEqualTo(204);
    }

    @Test
    void partitionWhenItHoldsLeadsThenDeleteIs409WithTheCount() {
        String p = unique("Full");
        long id = admin.partition(p);
        String w = unique("Filler");
        long ws = admin.workspace(w, p);
        String token = tokenIn(w, "Read-Write Lead");
        Api.Response sync = api.post("/rest/v1/leads.json", token, Map.of("input", List.of(Map.of("email", email("lead")))));
        assertThat(sync.result().get(0).path("status").asString()).as(sync.text()).isEqualTo("created");
        // the workspace lets go of the partition, which still holds the lead
        ok(call("PATCH", "/workspaces/" + ws, Map.of("partitions", List.of("Default"))));
        assertThat(refused(call("DELETE", "/partitions/" + id, null), 409, "in_use")).contains(p).contains("1 lead(s)");
        assertThat(call("GET", "/partitions/" + id, null).status()).isEqualTo(200);
    }

    // ----- workspaces ------------------------------------------------------------------------

    @Test
    void workspaceWhenCreatedThenPartitionsAndPrimaryFollowTheDefaults() {
        String a = unique("A");
        String b = unique("B");
        admin.partition(a);
        admin.partition(b);
        JsonNode both = admin.create("/workspaces", Map.of("name", unique("Both"), "description", "two",
                "partitions", List.of(a, b), "primaryPartition", b));
        assertThat(strings(both.path("partitions"))).containsExactly(a, b);
        assertThat(both.path("primaryPartition").asString()).isEqualTo(b);
        assertThat(both.path("description").asString()).isEqualTo("two");

        JsonNode firstIsPrimary = admin.create("/workspaces", Map.of("name", unique("First"), "partitions", List.of(a, b)));
        assertThat(firstIsPrimary.path("primaryPartition").asString()).isEqualTo(a);

        JsonNode primaryOnly = admin.create("/workspaces", Map.of("name", unique("Primary"), "primaryPartition", b));
        assertThat(strings(primaryOnly.path("partitions"))).containsExactly(b);
        assertThat(primaryOnly.path("primaryPartition").asString()).isEqualTo(b);

        JsonNode bare = admin.create("/workspaces", Map.of("name", unique("Bare")));
        assertThat(strings(bare.path("partitions"))).containsExactly("Default");
        assertThat(bare.path("primaryPartition").asString()).isEqualTo("Default");
        assertThat(ok(call("GET", "/workspaces/" + both.path("id").asLong(), null))).isEqualTo(both);
    }

    @Test
    void workspaceWhenPartitionsEmptyUnknownOrPrimaryOutsideThem400AndNothingCreated() {
        String a = unique("A");
        String b = unique("B");
        admin.partition(a);
        admin.partition(b);
        String name = unique("Never");
        assertThat(invalid(call("POST", "/workspaces", Map.of("name", name, "partitions", List.of(a), "primaryPartition", b))))
                .contains("primary partition");
        assertThat(invalid(call("POST", "/workspaces", Map.of("name", name, "partitions", List.of())))).contains("at least one partition");
        assertThat(invalid(call("POST", "/workspaces", Map.of("name", name, "partitions", List.of(a, "Atlantis")))))
                .contains("no partition named 'Atlantis'").contains(a).contains("Default");
        assertThat(invalid(call("POST", "/workspaces", Map.of("name", name, "primaryPartition", "Atlantis")))).contains("Atlantis");
        assertThat(invalid(call("POST", "/workspaces", Map.of("name", name, "partitions", a)))).contains("partitions must be an array");
        assertThat(invalid(call("POST", "/workspaces", Map.of("name", name, "partitions", List.of(1))))).contains("partitions");
        assertThat(invalid(call("POST", "/workspaces", Map.of("partitions", List.of(a))))).contains("workspace name");
        assertThat(names("/workspaces")).doesNotContain(name);
    }

    @Test
    void workspaceWhenPatchedThenThePrimaryStaysAmongItsPartitions() {
        String a = unique("A");
        String b = unique("B");
        String c = unique("C");
        admin.partition(a);
        admin.partition(b);
        admin.partition(c);
        long id = admin.create("/workspaces", Map.of("name", unique("Moving"), "partitions", List.of(a, b))).path("id").asLong();
        String path = "/workspaces/" + id;

        JsonNode dropped = ok(call("PATCH", path, Map.of("partitions", List.of(b))));
        assertThat(strings(dropped.path("partitions"))).containsExactly(b);
        assertThat(dropped.path("primaryPartition").asString()).isEqualTo(b);
        JsonNode widened = ok(call("PATCH", path, Map.of("partitions", List.of(a, b))));
        assertThat(widened.path("primaryPartition").asString()).isEqualTo(b);
        JsonNode switched = ok(call("PATCH", path, Map.of("primaryPartition", a)));
        assertThat(switched.path("primaryPartition").asString()).isEqualTo(a);
        assertThat(strings(switched.path("partitions"))).containsExactlyInAnyOrder(a, b);
        assertThat(invalid(call("PATCH", path, Map.of("primaryPartition", c)))).contains("primary partition");
        assertThat(invalid(call("PATCH", path, Map.of("partitions", List.of())))).contains("at least one partition");
        JsonNode moved = ok(call("PATCH", path, Map.of("partitions", List.of(c), "primaryPartition", c, "description", "moved")));
        assertThat(strings(moved.path("partitions"))).containsExactly(c);
        assertThat(moved.path("primaryPartition").asString()).isEqualTo(c);
        assertThat(moved.path("description").asString()).isEqualTo("moved");
        String other = unique("Other");
        admin.create("/workspaces", Map.of("name", other));
        assertThat(refused(call("PATCH", path, Map.of("name", other)), 409, "conflict")).contains(other);
        assertThat(refused(call("POST", "/workspaces", Map.of("name", other)), 409, "conflict")).contains(other);
        assertThat(ok(call("GET", path, null))).isEqualTo(moved);
    }

    @Test
    void workspaceWhenUsedByRolesThenDeleteIs409NamingTheUser() {
        String w = unique("Used");
        long ws = admin.workspace(w, "Default");
        String email = email("holder");
        admin.apiUser(email, reader, w);
        assertThat(refused(call("DELETE", "/workspaces/" + ws, null), 409, "in_use")).contains(w).contains(email);
        ok(call("PATCH", "/users/" + userId(email), Map.of("roles", List.of(Map.of("role", reader, "workspace", "Default")))));
        assertThat(call("DELETE", "/workspaces/" + ws, null).status()).isEqualTo(204);
        refused(call("GET", "/workspaces/" + ws, null), 404, "not_found");
    }

    @Test
    void workspaceWhenItHoldsListsOrCampaignsThenDeleteIs409() {
        String w = unique("Lists");
        ok(call("POST", "/seed", Map.of("workspaces", List.of(Map.of("name", w, "partitions", List.of("Default"))),
                "lists", List.of(Map.of("name", unique("List"), "workspace", w)),
                "campaigns", List.of(Map.of("name", unique("Campaign"), "workspace", w)))));
        long ws = 0;
        for (JsonNode n : admin.get("/workspaces").json()) {
            if (n.path("name").asString().equals(w)) {
                ws = n.path("id").asLong();
            }
        }
        assertThat(refused(call("DELETE", "/workspaces/" + ws, null), 409, "in_use")).contains(w).contains("1 list(s)").contains("1 campaign(s)");
    }

    // ----- roles -----------------------------------------------------------------------------

    @Test
    void roleWhenPermissionAliasesGivenThenCanonicalNamesStoredOnce() {
        JsonNode role = admin.create("/roles", Map.of("name", unique("Aliased"),
                "permissions", List.of("Read-Only Person", "read-write campaigns", " Read-Only Asset ", "READ-ONLY LEAD", "Read-Only Lead")));
        assertThat(strings(role.path("permissions"))).containsExactlyInAnyOrder("Read-Only Lead", "Read-Write Campaign", "Read-Only Assets");
        long id = role.path("id").asLong();
        assertThat(ok(call("GET", "/roles/" + id, null))).isEqualTo(role);
        JsonNode changed = ok(call("PATCH", "/roles/" + id, Map.of("permissions", List.of("Read-Write Person", "Read-Write Asset"))));
        assertThat(strings(changed.path("permissions"))).containsExactlyInAnyOrder("Read-Write Lead", "Read-Write Assets");
    }

    @Test
    void namesWhenTheyHoldHalfASurrogatePairThen400AndNothingStored() {
        String name = unique("Half");
        String lone = "{\"name\":\"" + name + "\\ud800\",\"permissions\":[\"Read-Only Lead\"]}";
        assertThat(invalid(raw("POST", "/roles", "application/json", lone))).contains("name").contains("valid Unicode");
        String described = "{\"name\":\"" + name + "\",\"description\":\"a \\udc00 b\",\"permissions\":[\"Read-Only Lead\"]}";
        assertThat(invalid(raw("POST", "/roles", "application/json", described))).contains("description").contains("valid Unicode");
        assertThat(names("/roles")).noneMatch(n -> n.startsWith(name));
        String pair = "{\"name\":\"" + name + " \\ud83d\\ude00\",\"permissions\":[\"Read-Only Lead\"]}";
        assertThat(raw("POST", "/roles", "application/json", pair).status()).as("a whole pair is a character like any other").isEqualTo(201);
        assertThat(names("/roles")).contains(name + " \uD83D\uDE00");
    }

    @Test
    void roleWhenPermissionUnknownThen400ListingTheCatalogAndNothingStored() {
        String name = unique("Typo");
        String message = invalid(call("POST", "/roles", Map.of("name", name, "permissions", List.of("Read-Only Lead", "Read-Only Leads"))));
        assertThat(message).contains("unknown permission 'Read-Only Leads'");
        for (String p : CATALOG) {
            assertThat(message).contains(p);
        }
        assertThat(invalid(call("POST", "/roles", Map.of("name", name, "permissions", "Read-Only Lead")))).contains("permissions");
        assertThat(invalid(call("POST", "/roles", Map.of("name", name, "permissions", List.of(5))))).contains("permissions");
        assertThat(invalid(call("POST", "/roles", object("name", name, "permissions", Arrays.asList("Read-Only Lead", null)))))
                .contains("permissions");
        assertThat(names("/roles")).doesNotContain(name);
        long id = admin.role(name, "Read-Only Lead");
        assertThat(invalid(call("PATCH", "/roles/" + id, Map.of("permissions", List.of("Read-Everything"))))).contains("Read-Everything");
        assertThat(strings(ok(call("GET", "/roles/" + id, null)).path("permissions"))).containsExactly("Read-Only Lead");
    }

    @Test
    void roleWhenCreatedUpdatedAndDeletedThenEachStepShows() {
        String name = unique("Plain");
        JsonNode role = admin.create("/roles", Map.of("name", name, "description", "nothing yet"));
        assertThat(strings(role.path("permissions"))).isEmpty();
        long id = role.path("id").asLong();
        JsonNode described = ok(call("PATCH", "/roles/" + id, Map.of("permissions", List.of("Execute Campaign"))));
        assertThat(described.path("description").asString()).isEqualTo("nothing yet");
        JsonNode renamed = ok(call("PATCH", "/roles/" + id, Map.of("name", name + "-2", "description", "runs campaigns")));
        assertThat(strings(renamed.path("permissions"))).containsExactly("Execute Campaign");
        assertThat(renamed.path("name").asString()).isEqualTo(name + "-2");
        assertThat(refused(call("POST", "/roles", Map.of("name", reader)), 409, "conflict")).contains(reader);
        assertThat(refused(call("PATCH", "/roles/" + id, Map.of("name", reader)), 409, "conflict")).contains(reader);
        assertThat(invalid(call("POST", "/roles", Map.of("name", "")))).contains("role name");
        assertThat(call("DELETE", "/roles/" + id, null).status()).isEqualTo(204);
        refused(call("GET", "/roles/" + id, null), 404, "not_found");
    }

    @Test
    void deleteRoleWhenAssignedToAUserThen409NamingTheUser() {
        String role = unique("Held");
        long id = admin.role(role, "Read-Only Lead");
        String email = email("holder");
        long user = admin.apiUser(email, role);
        assertThat(refused(call("DELETE", "/roles/" + id, null), 409, "in_use")).contains(role).contains(email);
        assertThat(call("GET", "/roles/" + id, null).status()).isEqualTo(200);
        assertThat(call("DELETE", "/users/" + user, null).status()).isEqualTo(204);
        assertThat(call("DELETE", "/roles/" + id, null).status()).isEqualTo(204);
    }

    // ----- users -----------------------------------------------------------------------------

    @Test
    void userWhenApiOnlyCreatedThenActiveWithItsRoles() {
        String email = unique("Mixed.Case") + "@Example.com";
        JsonNode u = admin.create("/users", Map.of("email", " " + email + " ", "firstName", "Ada", "lastName", "Lovelace",
                "apiOnly", true, "roles", List.of(Map.of("role", reader, "workspace", "Default"))));
        assertThat(u.path("email").asString()).isEqualTo(email);
        assertThat(u.path("firstName").asString()).isEqualTo("Ada");
        assertThat(u.path("apiOnly").asBoolean()).isTrue();
        assertThat(u.path("active").asBoolean()).isTrue();
        assertThat(u.path("status").asString()).isEqualTo("active");
        assertThat(u.path("expiresAt").isNull()).isTrue();
        assertThat(u.path("roles")).isEqualTo(Json.MAPPER.valueToTree(List.of(Map.of("role", reader, "workspace", "Default"))));
        assertThat(ok(call("GET", "/users/" + u.path("id").asLong(), null))).isEqualTo(u);
        assertThat(admin.get("/users").json()).extracting(n -> n.path("email").asString()).contains(email);
    }

    @Test
    void userWhenNotApiOnlyThenAPendingInvitation() {
        JsonNode u = admin.create("/users", Map.of("email", email("human"), "roles", List.of(Map.of("role", reader, "workspace", "Default"))));
        assertThat(u.path("apiOnly").asBoolean()).isFalse();
        assertThat(u.path("status").asString()).isEqualTo("invited");
    }

    @Test
    void userWhenEmailInvalidThen400NamingEmailAndNothingCreated() {
        List<Object> bad = List.of("not-an-email", "a@b", "two@@example.com", "with space@example.com", "", "   ",
                "x".repeat(250) + "@example.com", 42, "nul\u0000byte@example.com");
        for (Object email : bad) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("email", email);
            body.put("apiOnly", true);
            body.put("roles", List.of(Map.of("role", reader, "workspace", "Default")));
            assertThat(invalid(call("POST", "/users", body))).as("%s", email).contains("email");
        }
        assertThat(invalid(call("POST", "/users", Map.of("apiOnly", true, "roles", List.of(Map.of("role", reader, "workspace", "Default"))))))
                .contains("email");
        assertThat(admin.get("/users").json()).extracting(n -> n.path("email").asString())
                .noneMatch(e -> e.startsWith("not-an") || e.startsWith("a@b") || e.contains("space"));
    }

    @Test
    void userWhenEmailTakenInAnyCaseThen409() {
        String email = apiUser();
        String other = apiUser();
        assertThat(refused(call("POST", "/users", Map.of("email", email.toUpperCase(), "apiOnly", true,
                "roles", List.of(Map.of("role", reader, "workspace", "Default")))), 409, "conflict")).containsIgnoringCase(email);
        assertThat(refused(call("PATCH", "/users/" + userId(other), Map.of("email", email)), 409, "conflict")).contains(email);
        assertThat(ok(call("GET", "/users/" + userId(other), null)).path("email").asString()).isEqualTo(other);
    }

    @Test
    void userWhenNoRoleThen400AndAPatchCannotRemoveTheLast() {
        String email = email("roleless");
        assertThat(invalid(call("POST", "/users", Map.of("email", email, "apiOnly", true)))).contains("at least one role");
        assertThat(invalid(call("POST", "/users", Map.of("email", email, "apiOnly", true, "roles", List.of())))).contains("at least one role");
        assertThat(admin.get("/users").json()).extracting(n -> n.path("email").asString()).doesNotContain(email);
        String holder = apiUser();
        assertThat(invalid(call("PATCH", "/users/" + userId(holder), Map.of("roles", List.of())))).contains("at least one role");
        assertThat(ok(call("GET", "/users/" + userId(holder), null)).path("roles")).hasSize(1);
    }

    @Test
    void userWhenRoleOrWorkspaceUnknownOrMalformedThen400NamingIt() {
        String email = email("misrole");
        assertThat(invalid(call("POST", "/users", Map.of("email", email, "apiOnly", true,
                "roles", List.of(Map.of("role", "Nope", "workspace", "Default")))))).contains("no role named 'Nope'").contains(reader);
        assertThat(invalid(call("POST", "/users", Map.of("email", email, "apiOnly", true,
                "roles", List.of(Map.of("role", reader, "workspace", "Nowhere")))))).contains("no workspace named 'Nowhere'").contains("Default");
        assertThat(invalid(call("POST", "/users", Map.of("email", email, "apiOnly", true,
                "roles", List.of(Map.of("role", reader, "workspace", "Default", "scope", "all")))))).contains("unknown key 'scope'");
        assertThat(invalid(call("POST", "/users", Map.of("email", email, "apiOnly", true, "roles", reader)))).contains("roles");
        assertThat(invalid(call("POST", "/users", Map.of("email", email, "apiOnly", true, "roles", List.of(reader))))).contains("roles");
        assertThat(invalid(call("POST", "/users", Map.of("email", email, "apiOnly", true,
                "roles", List.of(Map.of("workspace", "Default")))))).contains("role");
        assertThat(admin.get("/users").json()).extracting(n -> n.path("email").asString()).doesNotContain(email);
        // a role without a workspace is held in the first one, Default
        JsonNode u = admin.create("/users", Map.of("email", email, "apiOnly", true, "roles", List.of(Map.of("role", reader))));
        assertThat(u.path("roles")).isEqualTo(Json.MAPPER.valueToTree(List.of(Map.of("role", reader, "workspace", "Default"))));
    }

    @Test
    void userWhenExpiresAtGivenThenParsedClearedOrRefusedNamingIt() {
        JsonNode u = admin.create("/users", Map.of("email", email("expiring"), "apiOnly", true, "expiresAt", "2030-12-31T23:59:59+02:00",
                "roles", List.of(Map.of("role", reader, "workspace", "Default"))));
        assertThat(u.path("expiresAt").asString()).isEqualTo("2030-12-31T21:59:59Z");
        String path = "/users/" + u.path("id").asLong();
        for (Object bad : List.of("2030-12-31", "soon", "31/12/2030 23:59", 1_900_000_000, true, "+999999999-12-31T23:59:59Z")) {
            assertThat(invalid(call("PATCH", path, Map.of("expiresAt", bad)))).as("%s", bad).contains("expiresAt");
        }
        assertThat(ok(call("GET", path, null)).path("expiresAt").asString()).isEqualTo("2030-12-31T21:59:59Z");
        assertThat(ok(call("PATCH", path, Map.of("firstName", "Kept"))).path("expiresAt").asString()).isEqualTo("2030-12-31T21:59:59Z");
        assertThat(ok(call("PATCH", path, object("expiresAt", null))).path("expiresAt").isNull()).isTrue();
        JsonNode past = ok(call("PATCH", path, Map.of("expiresAt", server.clock().instant().minusSeconds(60).toString())));
        assertThat(past.path("status").asString()).isEqualTo("expired");
        assertThat(past.path("active").asBoolean()).isTrue();
    }

    @Test
    void userWhenFieldsMistypedOrUnknownThen400NamingThem() {
        String path = "/users/" + userId(apiUser());
        assertThat(invalid(call("PATCH", path, Map.of("apiOnly", "true")))).contains("apiOnly");
        assertThat(invalid(call("PATCH", path, Map.of("active", 1)))).contains("active");
        assertThat(invalid(call("PATCH", path, Map.of("firstName", 5)))).contains("firstName");
        assertThat(invalid(call("PATCH", path, Map.of("firstName", "x".repeat(256))))).contains("firstName");
        assertThat(invalid(call("PATCH", path, Map.of("emial", "typo@example.com")))).contains("unknown key 'emial'");
        assertThat(invalid(call("PATCH", path, Map.of("status", "active")))).contains("unknown key 'status'");
    }

    @Test
    void userWhenDeactivatedThenStatusDeactivatedAndBack() {
        String path = "/users/" + userId(apiUser());
        JsonNode off = ok(call("PATCH", path, Map.of("active", false)));
        assertThat(off.path("status").asString()).isEqualTo("deactivated");
        assertThat(off.path("active").asBoolean()).isFalse();
        assertThat(ok(call("PATCH", path, Map.of("active", true))).path("status").asString()).isEqualTo("active");
    }

    @Test
    void userWhenOwningAServiceThenApiOnlyCannotBeTurnedOff409() {
        String email = apiUser();
        String service = unique("Owned");
        admin.create("/services", Map.of("name", service, "user", email));
        String path = "/users/" + userId(email);
        assertThat(refused(call("PATCH", path, Map.of("apiOnly", false)), 409, "conflict")).contains(email).contains(service);
        assertThat(ok(call("GET", path, null)).path("apiOnly").asBoolean()).isTrue();
        assertThat(ok(call("PATCH", path, Map.of("apiOnly", true, "lastName", "Still"))).path("lastName").asString()).isEqualTo("Still");
    }

    @Test
    void userWhenOwningAServiceThenDeleteIs409NamingTheService() {
        String email = apiUser();
        String service = unique("Owned");
        long svc = admin.create("/services", Map.of("name", service, "user", email)).path("id").asLong();
        long id = userId(email);
        assertThat(refused(call("DELETE", "/users/" + id, null), 409, "in_use")).contains(email).contains(service);
        assertThat(call("GET", "/users/" + id, null).status()).isEqualTo(200);
        assertThat(call("DELETE", "/services/" + svc, null).status()).isEqualTo(204);
        assertThat(call("DELETE", "/users/" + id, null).status()).isEqualTo(204);
        refused(call("GET", "/users/" + id, null), 404, "not_found");
    }

    // ----- custom services -------------------------------------------------------------------

    @Test
    void serviceWhenCreatedThenGeneratedCredentialsAndTheSecretOnlyInDetails() {
        String email = apiUser();
        String name = unique("Sync");
        JsonNode created = admin.create("/services", Map.of("name", name, "description", "nightly sync", "user", email));
        long id = created.path("id").asLong();
        assertThat(created.path("name").asString()).isEqualTo(name);
        assertThat(created.path("description").asString()).isEqualTo("nightly sync");
        assertThat(created.path("type").asString()).isEqualTo("Custom");
        assertThat(created.path("user").asString()).isEqualTo(email);
        assertThat(created.path("enabled").asBoolean()).isTrue();
        String clientId = created.path("clientId").asString();
        String secret = created.path("clientSecret").asString();
        assertThat(clientId).matches(UUID);
        assertThat(secret).matches(SECRET);

        Api.Response one = call("GET", "/services/" + id, null);
        assertThat(ok(one).path("clientId").asString()).isEqualTo(clientId);
        assertThat(one.json().has("clientSecret")).isFalse();
        assertThat(one.text()).doesNotContain(secret);
        assertThat(ok(call("GET", "/services", null)).toString()).contains(clientId).doesNotContain(secret);

        JsonNode details = ok(call("GET", "/services/" + id + "/details", null));
        assertThat(details.path("clientSecret").asString()).isEqualTo(secret);
        assertThat(details.path("clientId").asString()).isEqualTo(clientId);
        assertThat(details.path("user").asString()).isEqualTo(email);
        assertThat(admin.identity(clientId, secret).status()).isEqualTo(200);
    }

    @Test
    void serviceWhenOwnerIsNotAnActiveApiOnlyUserThen400AndNothingCreated() {
        String name = unique("Orphan");
        String invited = email("human");
        admin.create("/users", Map.of("email", invited, "roles", List.of(Map.of("role", reader, "workspace", "Default"))));
        String deactivated = apiUser();
        ok(call("PATCH", "/users/" + userId(deactivated), Map.of("active", false)));
        String expired = apiUser();
        ok(call("PATCH", "/users/" + userId(expired), Map.of("expiresAt", server.clock().instant().minusSeconds(1).toString())));

        assertThat(invalid(call("POST", "/services", Map.of("name", name, "user", invited)))).contains(invited).contains("API-only");
        assertThat(invalid(call("POST", "/services", Map.of("name", name, "user", deactivated)))).contains(deactivated).contains("deactivated");
        assertThat(invalid(call("POST", "/services", Map.of("name", name, "user", expired)))).contains(expired).contains("expired");
        assertThat(invalid(call("POST", "/services", Map.of("name", name, "user", "ghost@example.com")))).contains("ghost@example.com");
        assertThat(invalid(call("POST", "/services", Map.of("name", name)))).contains("API-only user");
        assertThat(names("/services")).doesNotContain(name);
    }

    @Test
    void serviceWhenClientIdOrSecretMalformedThen400AndWellFormedOnesAreKept() {
        String email = apiUser();
        for (String clientId : List.of("has space", "x".repeat(65), "-leading-dash", "", "ünïcode", "semi;colon")) {
            assertThat(invalid(call("POST", "/services", Map.of("name", unique("Bad"), "user", email, "clientId", clientId))))
                    .as(clientId).contains("clientId");
        }
        for (String secret : List.of("short", "has a space 0123456789abcdef", "x".repeat(129), "tab\tinside0123456789", "")) {
            assertThat(invalid(call("POST", "/services", Map.of("name", unique("Bad"), "user", email, "clientSecret", secret))))
                    .as(secret).contains("clientSecret");
        }
        String clientId = "fixed_client-" + Long.toHexString(System.nanoTime());
        JsonNode fixed = admin.create("/services", Map.of("name", unique("Fixed"), "user", email, "clientId", clientId,
                "clientSecret", "Chosen-Secret!0123456789"));
        assertThat(fixed.path("clientId").asString()).isEqualTo(clientId);
        assertThat(fixed.path("clientSecret").asString()).isEqualTo("Chosen-Secret!0123456789");
        assertThat(admin.identity(clientId, "Chosen-Secret!0123456789").status()).isEqualTo(200);
    }

    @Test
    void serviceWhenNameOrClientIdTakenThen409() {
        String email = apiUser();
        String name = unique("Unique");
        JsonNode first = admin.create("/services", Map.of("name", name, "user", email));
        String clientId = first.path("clientId").asString();
        assertThat(refused(call("POST", "/services", Map.of("name", name, "user", email)), 409, "conflict")).contains(name);
        assertThat(refused(call("POST", "/services", Map.of("name", unique("Other"), "user", email, "clientId", clientId)), 409, "conflict"))
                .contains(clientId);
        long second = admin.create("/services", Map.of("name", unique("Second"), "user", email)).path("id").asLong();
        assertThat(refused(call("PATCH", "/services/" + second, Map.of("name", name)), 409, "conflict")).contains(name);
    }

    @Test
    void serviceWhenSecretRotatedThenTheOldSecretAndTokenStopWorking() {
        AdminClient.Service s = admin.serviceWith("Read-Only Lead");
        String token = admin.token(s);
        assertThat(api.get("/rest/v1/leads/describe.json", token).success()).isTrue();

        JsonNode rotated = ok(call("POST", "/services/" + s.id() + "/secret", Map.of()));
        String fresh = rotated.path("clientSecret").asString();
        assertThat(fresh).matches(SECRET).isNotEqualTo(s.clientSecret());
        assertThat(rotated.path("clientId").asString()).isEqualTo(s.clientId());
        assertThat(api.get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("601");
        Api.Response old = admin.identity(s.clientId(), s.clientSecret());
        assertThat(old.status()).isEqualTo(401);
        assertThat(old.json().path("error").asString()).isEqualTo("invalid_client");
        Api.Response renewed = admin.identity(s.clientId(), fresh);
        assertThat(renewed.status()).isEqualTo(200);
        assertThat(renewed.json().path("access_token").asString()).isNotEqualTo(token);
        assertThat(ok(call("GET", "/services/" + s.id() + "/details", null)).path("clientSecret").asString()).isEqualTo(fresh);

        JsonNode chosen = ok(call("POST", "/services/" + s.id() + "/secret", Map.of("clientSecret", "Chosen-Secret-0123456789")));
        assertThat(chosen.path("clientSecret").asString()).isEqualTo("Chosen-Secret-0123456789");
        assertThat(admin.identity(s.clientId(), "Chosen-Secret-0123456789").status()).isEqualTo(200);
        assertThat(invalid(call("POST", "/services/" + s.id() + "/secret", Map.of("clientSecret", "short")))).contains("clientSecret");
        assertThat(invalid(call("POST", "/services/" + s.id() + "/secret", Map.of("secret", "Another-Secret-0123456789"))))
                .contains("unknown key 'secret'");
        assertThat(admin.identity(s.clientId(), "Chosen-Secret-0123456789").status()).isEqualTo(200);
    }

    @Test
    void serviceWhenDisabledThenNoTokenFromIdentityOrGetTokenUntilEnabled() {
        AdminClient.Service s = admin.serviceWith("Read-Only Lead");
        String token = admin.token(s);
        assertThat(ok(call("PATCH", "/services/" + s.id(), Map.of("enabled", false))).path("enabled").asBoolean()).isFalse();
        assertThat(admin.identity(s.clientId(), s.clientSecret()).status()).isEqualTo(401);
        assertThat(api.get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("601");
        // "Get Token" is refused as a state of the service, not as a failed admin login
        Api.Response getToken = call("POST", "/services/" + s.id() + "/token", Map.of());
        assertThat(refused(getToken, 409, "conflict")).contains("disabled");
        assertThat(getToken.headers()).doesNotContainKey("www-authenticate");
        assertThat(ok(call("PATCH", "/services/" + s.id(), Map.of("enabled", true))).path("enabled").asBoolean()).isTrue();
        assertThat(admin.identity(s.clientId(), s.clientSecret()).status()).isEqualTo(200);
        assertThat(ok(call("POST", "/services/" + s.id() + "/token", Map.of())).path("access_token").asString()).isNotBlank();
    }

    @Test
    void serviceWhenGivenAnotherOwnerThenItsTokensAreRevokedAndTheOwnerRulesApply() {
        AdminClient.Service s = admin.serviceWith("Read-Only Lead");
        String token = admin.token(s);
        String next = apiUser();
        assertThat(call("PATCH", "/services/" + s.id(), Map.of("user", next)).status()).isEqualTo(200);
        assertThat(ok(call("GET", "/services/" + s.id() + "/details", null)).path("user").asString()).isEqualTo(next);
        assertThat(api.get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("601");
        assertThat(admin.identity(s.clientId(), s.clientSecret()).json().path("scope").asString()).isEqualTo(next);
        String invited = email("human");
        admin.create("/users", Map.of("email", invited, "roles", List.of(Map.of("role", reader, "workspace", "Default"))));
        assertThat(invalid(call("PATCH", "/services/" + s.id(), Map.of("user", invited)))).contains("API-only");
        assertThat(invalid(call("PATCH", "/services/" + s.id(), Map.of("user", "")))).contains("user");
    }

    @Test
    void serviceWhenPatchedWithCredentialsOrMistypedValuesThen400() {
        AdminClient.Service s = admin.serviceWith("Read-Only Lead");
        String path = "/services/" + s.id();
        assertThat(invalid(call("PATCH", path, Map.of("clientSecret", "Another-Secret-0123456789")))).contains("unknown key 'clientSecret'");
        assertThat(invalid(call("PATCH", path, Map.of("clientId", "new-id")))).contains("unknown key 'clientId'");
        assertThat(invalid(call("PATCH", path, Map.of("enabled", "no")))).contains("enabled");
        assertThat(invalid(call("PATCH", path, Map.of("name", "")))).contains("service name");
        assertThat(admin.identity(s.clientId(), s.clientSecret()).status()).isEqualTo(200);
    }

    @Test
    void serviceWhenDeletedThenGoneAndItsClientUnknown() {
        AdminClient.Service s = admin.serviceWith("Read-Only Lead");
        assertThat(call("DELETE", "/services/" + s.id(), null).status()).isEqualTo(204);
        refused(call("GET", "/services/" + s.id(), null), 404, "not_found");
        refused(call("GET", "/services/" + s.id() + "/details", null), 404, "not_found");
        refused(call("DELETE", "/services/" + s.id(), null), 404, "not_found");
        assertThat(admin.identity(s.clientId(), s.clientSecret()).json().path("error_description").asString())
                .startsWith("No client with requested id");
    }

    // ----- custom lead fields ----------------------------------------------------------------

    @Test
    void fieldWhenCreatedThenListedWithItsTypeAndLength() {
        String integer = fieldName("size");
        String string = fieldName("colour");
        String text = fieldName("notes");
        String sized = fieldName("code");
        JsonNode i = admin.create("/fields", Map.of("name", integer, "dataType", "integer"));
        assertThat(i.path("dataType").asString()).isEqualTo("integer");
        assertThat(i.path("length").isNull()).isTrue();
        assertThat(i.path("custom").asBoolean()).isTrue();
        assertThat(i.path("displayName").asString()).isEqualTo(integer);
        JsonNode s = admin.create("/fields", Map.of("name", string, "displayName", "Favourite colour"));
        assertThat(s.path("dataType").asString()).isEqualTo("string");
        assertThat(s.path("length").asInt()).isEqualTo(255);
        assertThat(s.path("displayName").asString()).isEqualTo("Favourite colour");
        assertThat(admin.create("/fields", Map.of("name", text, "dataType", "TEXT")).path("length").asInt()).isEqualTo(32000);
        assertThat(admin.create("/fields", Map.of("name", sized, "dataType", "string", "length", 10)).path("length").asInt()).isEqualTo(10);
        Map<String, JsonNode> listed = new LinkedHashMap<>();
        ok(call("GET", "/fields", null)).forEach(f -> listed.put(f.path("name").asString(), f));
        assertThat(listed).containsKeys("email", "firstName", integer, string, text, sized);
        assertThat(listed.get("email").path("custom").asBoolean()).isFalse();
        assertThat(listed.get(integer)).isEqualTo(i);
    }

    @Test
    void fieldWhenNameTypeOrLengthInvalidThen400() {
        String name = fieldName("bad");
        assertThat(invalid(call("POST", "/fields", Map.of("name", name, "dataType", "varchar")))).contains("varchar")
                .contains("string").contains("datetime");
        assertThat(invalid(call("POST", "/fields", Map.of("name", name, "dataType", "string", "length", 0)))).contains("length");
        assertThat(invalid(call("POST", "/fields", Map.of("name", name, "dataType", "text", "length", 32001)))).contains("length");
        assertThat(invalid(call("POST", "/fields", Map.of("name", name, "dataType", "integer", "length", 10)))).contains("length")
                .contains("integer");
        assertThat(invalid(call("POST", "/fields", Map.of("name", name, "length", "10")))).contains("length");
        assertThat(invalid(call("POST", "/fields", Map.of("name", name, "length", 1.5)))).contains("length");
        assertThat(invalid(call("POST", "/fields", Map.of("name", name, "dataType", 5)))).contains("dataType");
        assertThat(invalid(call("POST", "/fields", Map.of("name", name, "displayName", "d".repeat(256))))).contains("displayName");
        for (String badName : List.of("1abc", "has space", "dash-ed", "x".repeat(101), "")) {
            assertThat(invalid(call("POST", "/fields", Map.of("name", badName)))).as(badName).contains("field name");
        }
        assertThat(invalid(call("POST", "/fields", Map.of("dataType", "string")))).contains("field name");
        assertThat(invalid(call("POST", "/fields", Map.of("name", name, "type", "string")))).contains("unknown key 'type'");
        assertThat(ok(call("GET", "/fields", null))).extracting(f -> f.path("name").asString()).doesNotContain(name);
    }

    @Test
    void fieldWhenNameTakenByAStandardOrCustomFieldInAnyCaseThen409() {
        assertThat(refused(call("POST", "/fields", Map.of("name", "email")), 409, "conflict")).contains("email");
        assertThat(refused(call("POST", "/fields", Map.of("name", "FirstName")), 409, "conflict")).contains("FirstName");
        String name = fieldName("dup");
        admin.create("/fields", Map.of("name", name));
        assertThat(refused(call("POST", "/fields", Map.of("name", name.toUpperCase())), 409, "conflict")).containsIgnoringCase(name);
    }

    @Test
    void fieldWhenDeletedThenGoneAndStandardOrUnknownFieldsAreRefused() {
        String name = fieldName("gone");
        admin.create("/fields", Map.of("name", name));
        assertThat(call("DELETE", "/fields/" + name, null).status()).isEqualTo(204);
        assertThat(ok(call("GET", "/fields", null))).extracting(f -> f.path("name").asString()).doesNotContain(name);
        refused(call("DELETE", "/fields/" + name, null), 404, "not_found");
        assertThat(invalid(call("DELETE", "/fields/email", null))).contains("standard field");
        refused(call("DELETE", "/fields/noSuchField", null), 404, "not_found");
        String odd = refused(call("DELETE", "/fields/" + "x".repeat(300) + "%00%1B%5B31m", null), 404, "not_found");
        assertThat(odd).as("the name is quoted cut short, without control characters").doesNotContain("\u0000", "\u001b")
                .doesNotContain("x".repeat(101));
    }

    @Test
    void fieldWhenALeadHasAValueThenDeleteIs409UntilTheValueIsCleared() {
        String name = fieldName("inUse");
        admin.create("/fields", Map.of("name", name));
        String token = admin.tokenWith("Read-Write Lead");
        String email = email("valued");
        Api.Response sync = api.post("/rest/v1/leads.json", token, Map.of("input", List.of(Map.of("email", email, name, "blue"))));
        assertThat(sync.result().get(0).path("status").asString()).as(sync.text()).isEqualTo("created");
        assertThat(refused(call("DELETE", "/fields/" + name, null), 409, "in_use")).contains(name).contains("1 lead(s)");
        assertThat(ok(call("GET", "/fields", null))).extracting(f -> f.path("name").asString()).contains(name);
        Map<String, Object> cleared = new LinkedHashMap<>();
        cleared.put("email", email);
        cleared.put(name, null);
        Api.Response clear = api.post("/rest/v1/leads.json", token, Map.of("input", List.of(cleared)));
        assertThat(clear.result().get(0).path("status").asString()).as(clear.text()).isEqualTo("updated");
        assertThat(call("DELETE", "/fields/" + name, null).status()).isEqualTo(204);
    }

    // ----- HTTP-level errors -----------------------------------------------------------------

    @Test
    void callWhenIdUnknownOrNotAnIdThen404() {
        for (String collection : List.of("/partitions/", "/workspaces/", "/roles/", "/users/", "/services/")) {
            for (String id : List.of("999999", "0", "-1", "abc", "1.5", "99999999999999999999")) {
                refused(call("GET", collection + id, null), 404, "not_found");
                refused(call("DELETE", collection + id, null), 404, "not_found");
                refused(call("PATCH", collection + id, Map.of()), 404, "not_found");
            }
        }
        refused(call("GET", "/services/999999/details", null), 404, "not_found");
        refused(call("POST", "/services/999999/secret", Map.of()), 404, "not_found");
        refused(call("POST", "/services/999999/token", Map.of()), 404, "not_found");
    }

    @Test
    void callWhenPathUnknownThen404NamingIt() {
        for (String path : List.of("/nothing", "/roles/1/extra", "", "/roles/", "/instance/1", "/services/1/secrets")) {
            assertThat(refused(call("GET", path, null), 404, "not_found")).as(path).contains("no admin resource");
        }
    }

    @Test
    void callWhenMethodWrongThen405NamingTheAllowedOnes() {
        assertThat(refused(call("PUT", "/roles", Map.of()), 405, "method_not_allowed")).contains("PUT").contains("GET or POST");
        assertThat(refused(call("DELETE", "/instance", null), 405, "method_not_allowed")).contains("GET or PATCH");
        assertThat(refused(call("POST", "/permissions", Map.of()), 405, "method_not_allowed")).contains("GET");
        assertThat(refused(call("GET", "/seed", null), 405, "method_not_allowed")).contains("POST");
        assertThat(refused(call("PUT", "/roles/1", Map.of()), 405, "method_not_allowed")).contains("DELETE or GET or PATCH");
        assertThat(refused(call("GET", "/services/1/secret", null), 405, "method_not_allowed")).contains("POST");
        refused(call("PATCH", "/fields/email", Map.of()), 405, "method_not_allowed");
    }

    @Test
    void callWhenBodyIsNotJsonThen415AndNothingCreated() {
        String name = unique("NotJson");
        String json = Json.MAPPER.writeValueAsString(Map.of("name", name));
        assertThat(refused(raw("POST", "/roles", "text/plain", json), 415, "unsupported_media_type")).contains("application/json");
        refused(raw("POST", "/roles", "application/x-www-form-urlencoded", "name=" + name), 415, "unsupported_media_type");
        refused(raw("POST", "/roles", null, json), 415, "unsupported_media_type");
        refused(raw("PATCH", "/instance", "application/xml", "<tokenTtlSeconds>1</tokenTtlSeconds>"), 415, "unsupported_media_type");
        assertThat(names("/roles")).doesNotContain(name);
        assertThat(raw("POST", "/roles", "application/json; charset=UTF-8", json).status()).isEqualTo(201);
    }

    @Test
    void callWhenJsonMalformedOrNotAnObjectThen400() {
        String name = unique("Broken");
        assertThat(invalid(raw("POST", "/roles", "application/json", "{\"name\": \"" + name + "\""))).contains("not valid JSON");
        assertThat(invalid(raw("POST", "/roles", "application/json", "{name: 'x'}"))).contains("not valid JSON");
        for (String notObject : List.of("[]", "\"" + name + "\"", "null", "42", "true")) {
            assertThat(invalid(raw("POST", "/roles", "application/json", notObject))).as(notObject).contains("JSON object");
        }
        assertThat(invalid(raw("PATCH", "/instance", "application/json", "[{\"tokenTtlSeconds\": 60}]"))).contains("JSON object");
        assertThat(names("/roles")).doesNotContain(name);
    }

    @Test
    void callWhenBodyEmptyThenItCountsAsAnEmptyObject() {
        assertThat(invalid(raw("POST", "/roles", null, null))).contains("role name");
        assertThat(invalid(raw("POST", "/roles", "application/json", ""))).contains("role name");
        assertThat(raw("PATCH", "/instance", null, null).status()).isEqualTo(200);
    }

    @Test
    void callWhenTextHoldsTheNulCharacterThen400NamingWhereAndNothingStored() {
        String name = unique("Nul");
        assertThat(invalid(call("POST", "/partitions", Map.of("name", name, "description", "x\u0000y"))))
                .contains("body.description").contains("NUL");
        assertThat(invalid(call("POST", "/workspaces", Map.of("name", name, "partitions", List.of("Default", "x\u0000y")))))
                .contains("body.partitions[1]");
        assertThat(invalid(call("POST", "/services", Map.of("name", name, "user", apiUser() + "\u0000")))).contains("body.user");
        assertThat(invalid(call("POST", "/roles", Map.of("name", name, "permissions\u0000", List.of())))).contains("NUL");
        assertThat(names("/partitions")).doesNotContain(name);
        assertThat(names("/workspaces")).doesNotContain(name);
        assertThat(names("/services")).doesNotContain(name);
        assertThat(names("/roles")).doesNotContain(name);
    }

    /**
     * Every field of every writable resource, given each kind of odd value: the answer is a
     * success or a 4xx that says why, never a 500.
     */
    @Test
    void writeWhenAnyFieldHoldsAnOddValueThenNeverA500() {
        JsonNode instanceBefore = ok(call("GET", "/instance", null));
        String owner = apiUser();
        long part = admin.partition(unique("SweepP"));
        long ws = admin.workspace(unique("SweepW"), "Default");
        long role = admin.role(unique("SweepR"), "Read-Only Lead");
        long user = userId(apiUser());
        long svc = admin.create("/services", Map.of("name", unique("SweepS"), "user", owner)).path("id").asLong();
        List<JsonNode> odd = oddValues();

        record Target(String method, String path, Supplier<ObjectNode> base, List<String> keys) {
        }
        Supplier<ObjectNode> empty = Json.MAPPER::createObjectNode;
        List<String> workspaceKeys = List.of("name", "description", "partitions", "primaryPartition");
        List<String> userKeys = List.of("email", "firstName", "lastName", "apiOnly", "active", "expiresAt", "roles");
        List<Target> targets = List.of(
                new Target("PATCH", "/instance", empty, List.of("tokenTtlSeconds", "allowQueryToken", "limits", "ipAllowlist", "munchkinId")),
                new Target("POST", "/partitions", () -> object("name", unique("P")), List.of("name", "description")),
                new Target("PATCH", "/partitions/" + part, empty, List.of("name", "description")),
                new Target("POST", "/workspaces", () -> object("name", unique("W"), "partitions", List.of("Default")), workspaceKeys),
                new Target("PATCH", "/workspaces/" + ws, empty, workspaceKeys),
                new Target("POST", "/roles", () -> object("name", unique("R"), "permissions", List.of("Read-Only Lead")),
                        List.of("name", "description", "permissions")),
                new Target("PATCH", "/roles/" + role, empty, List.of("name", "description", "permissions")),
                new Target("POST", "/users", () -> object("email", email("u"), "apiOnly", true,
                        "roles", List.of(Map.of("role", reader, "workspace", "Default"))), userKeys),
                new Target("PATCH", "/users/" + user, empty, userKeys),
                new Target("POST", "/services", () -> object("name", unique("S"), "user", owner),
                        List.of("name", "description", "user", "clientId", "clientSecret")),
                new Target("PATCH", "/services/" + svc, empty, List.of("name", "description", "enabled", "user")),
                new Target("POST", "/services/" + svc + "/secret", empty, List.of("clientSecret")),
                new Target("POST", "/fields", () -> object("name", fieldName("f"), "dataType", "string"),
                        List.of("name", "displayName", "dataType", "length")),
                new Target("POST", "/seed", empty, List.of("instance", "partitions", "workspaces", "roles", "users", "services",
                        "leads", "fields", "lists", "campaigns")));
        List<String> failures = new ArrayList<>();
        try {
            for (Target t : targets) {
                for (String key : t.keys()) {
                    for (JsonNode value : odd) {
                        ObjectNode body = t.base().get();
                        body.set(key, value);
                        expectNo500(t.method(), t.path(), body, failures);
                    }
                }
            }
            for (JsonNode value : odd) {
                for (String key : List.of("role", "workspace")) {
                    ObjectNode ref = object("role", reader, "workspace", "Default");
                    ref.set(key, value);
                    expectNo500("PATCH", "/users/" + user, object("roles", List.of(ref)), failures);
                }
                for (ObjectNode doc : seedsWith(value, owner)) {
                    expectNo500("POST", "/seed", doc, failures);
                }
            }
        } finally {
            restore(instanceBefore);
        }
        assertThat(failures).isEmpty();
    }

    private void expectNo500(String method, String path, ObjectNode body, List<String> failures) {
        Api.Response r = call(method, path, body);
        boolean explained = r.status() < 400 || !r.json().path("error").path("message").asString("").isBlank();
        if (r.status() >= 500 || !explained) {
            failures.add(method + " " + path + " " + body + " -> " + r.status() + " " + r.text());
        }
    }

    private static List<JsonNode> oddValues() {
        List<JsonNode> odd = new ArrayList<>();
        for (String json : List.of("null", "true", "1.5", "-1", "12345678901234567890", "\"\"", "\"   \"",
                "\"x\\u0000y\"", "\"line\\nbreak\"", "\"" + "é".repeat(3000) + "\"", "\"+999999999-12-31T23:59:59Z\"",
                "[]", "[null]", "[1]", "{}", "{\"a\": 1}", "[{}]")) {
            odd.add(Json.MAPPER.readTree(json));
        }
        return odd;
    }

    /** Seed documents with {@code value} at each known key of each kind of entry. */
    private List<ObjectNode> seedsWith(JsonNode value, String owner) {
        Map<String, Supplier<ObjectNode>> entries = new LinkedHashMap<>();
        entries.put("partitions", () -> object("name", unique("SP"), "description", "d"));
        entries.put("workspaces", () -> object("name", unique("SW"), "description", "d", "partitions", List.of("Default"),
                "primaryPartition", "Default"));
        entries.put("roles", () -> object("name", unique("SR"), "description", "d", "permissions", List.of("Read-Only Lead")));
        entries.put("users", () -> object("email", email("su"), "firstName", "F", "lastName", "L", "apiOnly", true, "active", true,
                "expiresAt", "2040-01-01T00:00:00Z", "roles", List.of(Map.of("role", reader, "workspace", "Default"))));
        entries.put("services", () -> object("name", unique("SS"), "description", "d", "user", owner,
                "clientId", "seed-" + Long.toHexString(System.nanoTime()), "clientSecret", "Seed-Secret-0123456789"));
        entries.put("fields", () -> object("name", fieldName("sf"), "displayName", "D", "dataType", "string", "length", 20));
        entries.put("leads", () -> object("partition", "Default", "email", email("sl")));
        entries.put("lists", () -> object("name", unique("SL"), "description", "d", "workspace", "Default"));
        entries.put("campaigns", () -> object("name", unique("SC"), "description", "d", "type", "batch", "workspace", "Default",
                "requestable", true, "active", true));
        List<ObjectNode> docs = new ArrayList<>();
        entries.forEach((section, entry) -> {
            for (String key : entry.get().propertyNames()) {
                ObjectNode e = entry.get();
                e.set(key, value);
                ObjectNode doc = Json.MAPPER.createObjectNode();
                doc.putArray(section).add(e);
                docs.add(doc);
            }
        });
        for (String key : List.of("tokenTtlSeconds", "allowQueryToken", "limits", "ipAllowlist", "munchkinId")) {
            ObjectNode doc = Json.MAPPER.createObjectNode();
            doc.putObject("instance").set(key, value);
            docs.add(doc);
        }
        ObjectNode limits = Json.MAPPER.createObjectNode();
        limits.putObject("instance").putObject("limits").set("timeZone", value);
        docs.add(limits);
        return docs;
    }
}
