package dev.mkto.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mkto.server.MktoServer;
import dev.mkto.server.config.ServerConfig;
import dev.mkto.server.http.Json;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.MutableClock;
import dev.mkto.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Seed documents, applied at start ({@code --seed}, {@code MKTO_SEED}) and through
 * {@code POST /admin/api/v1/seed}, on H2 and on PostgreSQL: the example of seed-format.md works
 * end to end, applying twice changes nothing, a bad entry is named and leaves nothing behind, and
 * generated credentials are reported once.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class SeedLoaderTest {

    /** The example document of docs/seed-format.md, verbatim. */
    static final String EXAMPLE = """
            {
              "instance": {
                "munchkinId": "123-ABC-456",
                "tokenTtlSeconds": 3600,
                "limits": { "rateCalls": 100, "rateWindowSeconds": 20, "concurrent": 10, "dailyQuota": 50000,
                            "timeZone": "America/Chicago" },
                "ipAllowlist": { "enabled": false, "entries": ["127.0.0.1", "10.0.*.*", "192.168.1.10-192.168.1.20", "2001:db8::/32"],
                                 "applyToIdentity": false },
                "allowQueryToken": false
              },
              "partitions": [ { "name": "Default" }, { "name": "EMEA", "description": "Europe" } ],
              "workspaces": [ { "name": "Default", "partitions": ["Default"] },
                              { "name": "Europe", "partitions": ["EMEA"], "primaryPartition": "EMEA" } ],
              "roles": [ { "name": "Lead Reader", "permissions": ["Read-Only Lead", "Read-Only Activity"] },
                         { "name": "Integration", "permissions": ["Read-Write Lead", "Execute Campaign"] } ],
              "users": [ { "email": "reader@example.com", "firstName": "Read", "lastName": "Only", "apiOnly": true,
                           "roles": [ { "role": "Lead Reader", "workspace": "Default" } ] },
                         { "email": "eu@example.com", "apiOnly": true, "active": true, "expiresAt": null,
                           "roles": [ { "role": "Integration", "workspace": "Europe" } ] } ],
              "services": [ { "name": "Reader", "description": "read-only sync", "user": "reader@example.com",
                              "clientId": "0b6a2b2e-6d2f-4a59-9a53-0c1f3c2f8e11",
                              "clientSecret": "t0kQm3yRz8VvX1pLs9Hd2Wc5Nf7Ab4Ge" } ],
              "leads": [ { "partition": "Default", "email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace" } ],
              "fields": [ { "name": "favouriteColour", "displayName": "Favourite colour", "dataType": "string", "length": 255 } ],
              "lists": [ { "name": "Newsletter", "workspace": "Default" } ],
              "campaigns": [ { "name": "Welcome", "type": "trigger", "workspace": "Default", "requestable": true, "active": true } ]
            }
            """;

    private static final String CLIENT_ID = "0b6a2b2e-6d2f-4a59-9a53-0c1f3c2f8e11";
    private static final String CLIENT_SECRET = "t0kQm3yRz8VvX1pLs9Hd2Wc5Nf7Ab4Ge";
    /** What the example holds: instance, 2 partitions, 2 workspaces, 2 roles, 2 users, a service, a lead, a field, a list, a campaign. */
    private static final int EXAMPLE_ENTRIES = 14;
    private static final List<String> ADMIN_VIEWS = List.of("/instance", "/partitions", "/workspaces", "/roles", "/users", "/services",
            "/fields");

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    // ----- helpers ---------------------------------------------------------------------------

    private TestServer start(Path... seeds) {
        TestServer s = TestServer.start(backend, MutableClock.startingNow(), List.of(seeds), Map.of());
        opened.add(s);
        return s;
    }

    private Path write(String name, String json) {
        try {
            return Files.writeString(dir.resolve(name), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode example() {
        return (ObjectNode) Json.MAPPER.readTree(EXAMPLE);
    }

    private static ObjectNode example(Consumer<ObjectNode> change) {
        ObjectNode doc = example();
        change.accept(doc);
        return doc;
    }

    private static ObjectNode entry(ObjectNode doc, String section, int i) {
        return (ObjectNode) doc.get(section).get(i);
    }

    private static Api.Response seed(Api api, Object doc) {
        String body = doc instanceof String s ? s : Json.MAPPER.writeValueAsString(doc);
        return api.post("/admin/api/v1/seed", TestServer.ADMIN_TOKEN, body);
    }

    private static JsonNode applied(Api api, Object doc) {
        Api.Response r = seed(api, doc);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json();
    }

    private static void counts(JsonNode result, int created, int updated, int unchanged) {
        assertThat(result.path("created").asInt()).as(result.toString()).isEqualTo(created);
        assertThat(result.path("updated").asInt()).as(result.toString()).isEqualTo(updated);
        assertThat(result.path("unchanged").asInt()).as(result.toString()).isEqualTo(unchanged);
    }

    /** A 400 from the seed endpoint; returns its message. */
    private static String refused(Api.Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.json().path("error").path("code").asString()).isEqualTo("invalid");
        return r.json().path("error").path("message").asString();
    }

    private static JsonNode admin(Api api, String path) {
        Api.Response r = api.get("/admin/api/v1" + path, TestServer.ADMIN_TOKEN);
        assertThat(r.status()).as("%s -> %s", path, r.text()).isEqualTo(200);
        return r.json();
    }

    /** Everything the admin API shows, timestamps included. */
    private static Map<String, JsonNode> snapshot(Api api) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        // usage (lastUsedAt) moves with every API call; the seed is about configuration
        ADMIN_VIEWS.forEach(v -> out.put(v, withoutUsage(admin(api, v))));
        return out;
    }

    private static JsonNode withoutUsage(JsonNode view) {
        JsonNode copy = view.deepCopy();
        if (copy.isArray()) {
            copy.forEach(n -> {
                if (n.isObject()) {
                    ((tools.jackson.databind.node.ObjectNode) n).remove("lastUsedAt");
                }
            });
        }
        return copy;
    }

    private static JsonNode named(JsonNode list, String key, String value) {
        for (JsonNode n : list) {
            if (n.path(key).asString().equals(value)) {
                return n;
            }
        }
        throw new AssertionError("no entry with " + key + " " + value + " in " + list);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    private static String token(Api api, String clientId, String secret) {
        Api.Response r = api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + clientId + "&client_secret=" + secret, null);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json().path("access_token").asString();
    }

    private static JsonNode ada(Api api, String token) {
        return ada(api, token, "");
    }

    private static JsonNode ada(Api api, String token, String moreFields) {
        Api.Response r = api.get("/rest/v1/leads.json?filterType=email&filterValues=ada@example.com"
                + "&fields=email,firstName,lastName,leadPartitionId,updatedAt" + moreFields, token);
        assertThat(r.success()).as(r.text()).isTrue();
        return r.result();
    }

    // ----- the example, end to end -----------------------------------------------------------

    @Test
    void startWhenSeededWithTheExampleThenItsServiceGetsATokenAndReadsTheSeededLead() {
        TestServer server = start(write("seed.json", EXAMPLE));
        Api api = server.api();
        assertThat(server.server().generatedCredentials()).isEmpty();

        JsonNode instance = admin(api, "/instance");
        assertThat(instance.path("munchkinId").asString()).isEqualTo("123-ABC-456");
        assertThat(instance.path("limits").path("timeZone").asString()).isEqualTo("America/Chicago");
        assertThat(strings(instance.path("ipAllowlist").path("entries")))
                .containsExactly("127.0.0.1", "10.0.*.*", "192.168.1.10-192.168.1.20", "2001:db8::/32");
        assertThat(instance.path("ipAllowlist").path("enabled").asBoolean()).isFalse();

        JsonNode partitions = admin(api, "/partitions");
        assertThat(partitions).extracting(p -> p.path("name").asString()).containsExactly("Default", "EMEA");
        assertThat(named(partitions, "name", "EMEA").path("description").asString()).isEqualTo("Europe");
        JsonNode europe = named(admin(api, "/workspaces"), "name", "Europe");
        assertThat(strings(europe.path("partitions"))).containsExactly("EMEA");
        assertThat(europe.path("primaryPartition").asString()).isEqualTo("EMEA");

        JsonNode roles = admin(api, "/roles");
        assertThat(strings(named(roles, "name", "Lead Reader").path("permissions"))).containsExactlyInAnyOrder("Read-Only Lead", "Read-Only Activity");
        assertThat(strings(named(roles, "name", "Integration").path("permissions"))).containsExactlyInAnyOrder("Read-Write Lead", "Execute Campaign");

        JsonNode users = admin(api, "/users");
        JsonNode reader = named(users, "email", "reader@example.com");
        assertThat(reader.path("firstName").asString()).isEqualTo("Read");
        assertThat(reader.path("lastName").asString()).isEqualTo("Only");
        assertThat(reader.path("status").asString()).isEqualTo("active");
        assertThat(reader.path("roles")).isEqualTo(Json.MAPPER.valueToTree(List.of(Map.of("role", "Lead Reader", "workspace", "Default"))));
        JsonNode eu = named(users, "email", "eu@example.com");
        assertThat(eu.path("roles")).isEqualTo(Json.MAPPER.valueToTree(List.of(Map.of("role", "Integration", "workspace", "Europe"))));
        assertThat(eu.path("expiresAt").isNull()).isTrue();

        JsonNode service = named(admin(api, "/services"), "name", "Reader");
        assertThat(service.path("clientId").asString()).isEqualTo(CLIENT_ID);
        JsonNode details = admin(api, "/services/" + service.path("id").asLong() + "/details");
        assertThat(details.path("clientSecret").asString()).isEqualTo(CLIENT_SECRET);
        assertThat(details.path("description").asString()).isEqualTo("read-only sync");
        assertThat(details.path("user").asString()).isEqualTo("reader@example.com");

        JsonNode field = named(admin(api, "/fields"), "name", "favouriteColour");
        assertThat(field.path("displayName").asString()).isEqualTo("Favourite colour");
        assertThat(field.path("dataType").asString()).isEqualTo("string");
        assertThat(field.path("length").asInt()).isEqualTo(255);

        Api.Response issued = api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + CLIENT_ID
                + "&client_secret=" + CLIENT_SECRET, null);
        assertThat(issued.status()).as(issued.text()).isEqualTo(200);
        assertThat(issued.json().path("scope").asString()).isEqualTo("reader@example.com");
        String token = issued.json().path("access_token").asString();
        JsonNode lead = ada(api, token);
        assertThat(lead).hasSize(1);
        assertThat(lead.get(0).path("firstName").asString()).isEqualTo("Ada");
        assertThat(lead.get(0).path("lastName").asString()).isEqualTo("Lovelace");
        assertThat(lead.get(0).path("leadPartitionId").asLong()).isEqualTo(named(partitions, "name", "Default").path("id").asLong());
        Api.Response describe = api.get("/rest/v1/leads/describe.json", token);
        assertThat(describe.result()).extracting(f -> f.path("rest").path("name").asString()).contains("favouriteColour");
        // the reader role reads but does not write
        assertThat(api.post("/rest/v1/leads.json", token, Map.of("input", List.of(Map.of("email", "x@example.com")))).errorCode())
                .isEqualTo("603");
    }

    @Test
    void applyWhenPostedToAFreshServerThenTheCountsSayWhatWasCreated() {
        Api api = start().api();
        JsonNode result = applied(api, EXAMPLE);
        // created: EMEA, Europe, 2 roles, 2 users, the service, the lead, the field, the list, the campaign;
        // updated: the instance (its allowlist entries); unchanged: the Default partition and workspace
        counts(result, 11, 1, 2);
        assertThat(result.path("generated")).isEmpty();
        assertThat(ada(api, token(api, CLIENT_ID, CLIENT_SECRET))).hasSize(1);
    }

    // ----- idempotence -----------------------------------------------------------------------

    @Test
    void applyWhenTheSameDocumentAgainThenNothingChangesAndTimestampsStay() {
        TestServer server = start(write("seed.json", EXAMPLE));
        Api api = server.api();
        Map<String, JsonNode> before = snapshot(api);
        JsonNode leadBefore = ada(api, token(api, CLIENT_ID, CLIENT_SECRET), ",favouriteColour").get(0);
        server.clock().advance(Duration.ofMinutes(10));

        JsonNode again = applied(api, EXAMPLE);
        counts(again, 0, 0, EXAMPLE_ENTRIES);
        assertThat(again.path("generated")).isEmpty();
        JsonNode thrice = applied(api, EXAMPLE);
        counts(thrice, 0, 0, EXAMPLE_ENTRIES);

        assertThat(snapshot(api)).isEqualTo(before);
        JsonNode leadAfter = ada(api, token(api, CLIENT_ID, CLIENT_SECRET), ",favouriteColour").get(0);
        assertThat(leadAfter.path("updatedAt")).isEqualTo(leadBefore.path("updatedAt"));
        assertThat(leadAfter).isEqualTo(leadBefore);
    }

    @Test
    void applyWhenSomeEntriesDifferThenOnlyThoseAreUpdated() {
        TestServer server = start(write("seed.json", EXAMPLE));
        Api api = server.api();
        Map<String, JsonNode> before = snapshot(api);
        server.clock().advance(Duration.ofMinutes(10));
        ObjectNode changed = example(doc -> {
            doc.remove("instance");
            ((ArrayNode) entry(doc, "roles", 0).get("permissions")).add("Read-Only Company");
            entry(doc, "users", 0).put("firstName", "Reed");
            entry(doc, "leads", 0).put("favouriteColour", "green");
        });
        counts(applied(api, changed), 0, 3, EXAMPLE_ENTRIES - 1 - 3);

        Map<String, JsonNode> after = snapshot(api);
        assertThat(after.get("/instance")).isEqualTo(before.get("/instance"));
        assertThat(after.get("/partitions")).isEqualTo(before.get("/partitions"));
        assertThat(after.get("/workspaces")).isEqualTo(before.get("/workspaces"));
        assertThat(after.get("/services")).isEqualTo(before.get("/services"));
        JsonNode role = named(after.get("/roles"), "name", "Lead Reader");
        assertThat(strings(role.path("permissions"))).contains("Read-Only Company");
        assertThat(role.path("updatedAt")).isNotEqualTo(named(before.get("/roles"), "name", "Lead Reader").path("updatedAt"));
        assertThat(named(after.get("/roles"), "name", "Integration")).isEqualTo(named(before.get("/roles"), "name", "Integration"));
        JsonNode reader = named(after.get("/users"), "email", "reader@example.com");
        assertThat(reader.path("firstName").asString()).isEqualTo("Reed");
        assertThat(reader.path("updatedAt")).isNotEqualTo(named(before.get("/users"), "email", "reader@example.com").path("updatedAt"));
        assertThat(named(after.get("/users"), "email", "eu@example.com")).isEqualTo(named(before.get("/users"), "email", "eu@example.com"));
        assertThat(ada(api, token(api, CLIENT_ID, CLIENT_SECRET), ",favouriteColour").get(0).path("favouriteColour").asString())
                .isEqualTo("green");
    }

    @Test
    void applyWhenPermissionsAreAliasesThenStoredCanonicalAndTheCanonicalFormChangesNothing() {
        Api api = start().api();
        String doc = """
                {"roles": [{"name": "Aliased", "permissions": ["Read-Only Person", "read-write campaigns", "Read-Only Asset"]}]}""";
        counts(applied(api, doc), 1, 0, 0);
        assertThat(strings(named(admin(api, "/roles"), "name", "Aliased").path("permissions")))
                .containsExactlyInAnyOrder("Read-Only Lead", "Read-Write Campaign", "Read-Only Assets");
        counts(applied(api, """
                {"roles": [{"name": "Aliased", "permissions": ["Read-Only Assets", "Read-Only Lead", "Read-Write Campaign"]}]}"""), 0, 0, 1);
        counts(applied(api, doc), 0, 0, 1);
    }

    // ----- refusals --------------------------------------------------------------------------

    @Test
    void applyWhenAKeyIsUnknownAtAnyLevelThen400NamingTheEntryAndNothingApplied() {
        Api api = start().api();
        Map<String, JsonNode> before = snapshot(api);
        Map<String, Consumer<ObjectNode>> typos = new LinkedHashMap<>();
        typos.put("request body: unknown key 'rolez'", doc -> doc.putArray("rolez"));
        typos.put("instance: unknown key 'munchkinID'", doc -> ((ObjectNode) doc.get("instance")).put("munchkinID", "123-ABC-456"));
        typos.put("instance.limits: unknown key 'rate'", doc -> ((ObjectNode) doc.get("instance").get("limits")).put("rate", 5));
        typos.put("instance.ipAllowlist: unknown key 'entry'", doc -> ((ObjectNode) doc.get("instance").get("ipAllowlist")).putArray("entry"));
        typos.put("partitions[1] (EMEA): unknown key 'descripton'", doc -> entry(doc, "partitions", 1).put("descripton", "x"));
        typos.put("workspaces[1] (Europe): unknown key 'primary'", doc -> entry(doc, "workspaces", 1).put("primary", "EMEA"));
        typos.put("roles[0] (Lead Reader): unknown key 'permission'", doc -> entry(doc, "roles", 0).putArray("permission"));
        typos.put("users[1] (eu@example.com): unknown key 'emial'", doc -> entry(doc, "users", 1).put("emial", "eu@example.com"));
        typos.put("users[0] (reader@example.com): roles[0]: unknown key 'workspaces'",
                doc -> ((ObjectNode) entry(doc, "users", 0).get("roles").get(0)).put("workspaces", "Default"));
        typos.put("services[0] (Reader): unknown key 'secret'", doc -> entry(doc, "services", 0).put("secret", CLIENT_SECRET));
        typos.put("fields[0] (favouriteColour): unknown key 'type'", doc -> entry(doc, "fields", 0).put("type", "string"));
        typos.put("leads[0] (ada@example.com): Field 'firstNmae' not found", doc -> entry(doc, "leads", 0).put("firstNmae", "Ada"));
        typos.put("lists[0] (Newsletter): unknown key 'workspaces'", doc -> entry(doc, "lists", 0).put("workspaces", "Default"));
        typos.put("campaigns[0] (Welcome): unknown key 'requestible'", doc -> entry(doc, "campaigns", 0).put("requestible", true));
        typos.forEach((expected, typo) -> {
            String message = refused(seed(api, example(typo)));
            assertThat(message).as(expected).startsWith("request body: ").contains(expected);
        });
        assertThat(snapshot(api)).isEqualTo(before);
    }

    @Test
    void applyWhenAnEntryFailsAfterValidOnesThenNothingOfTheDocumentRemains() {
        TestServer server = start();
        Api api = server.api();
        String witness = server.admin().tokenWith("Read-Only Lead");
        Map<String, JsonNode> before = snapshot(api);

        ObjectNode lateUser = example(doc -> ((ArrayNode) doc.get("users")).add(Json.MAPPER.valueToTree(Map.of("email", "late@example.com",
                "apiOnly", true, "roles", List.of(Map.of("role", "Missing Role", "workspace", "Default"))))));
        assertThat(refused(seed(api, lateUser))).contains("users[2] (late@example.com)").contains("no role named 'Missing Role'");
        assertNothingOfTheExample(api, before, witness);

        ObjectNode lastEntry = example(doc -> entry(doc, "campaigns", 0).put("workspace", "Nowhere"));
        assertThat(refused(seed(api, lastEntry))).contains("campaigns[0] (Welcome)").contains("no workspace named 'Nowhere'");
        assertNothingOfTheExample(api, before, witness);

        ObjectNode badLead = example(doc -> entry(doc, "leads", 0).put("firstName", "x".repeat(300)));
        assertThat(refused(seed(api, badLead))).contains("leads[0] (ada@example.com)");
        assertNothingOfTheExample(api, before, witness);

        // and the same document, corrected, applies in full
        counts(applied(api, EXAMPLE), 11, 1, 2);
        assertThat(ada(api, witness)).hasSize(1);
    }

    private static void assertNothingOfTheExample(Api api, Map<String, JsonNode> before, String witness) {
        assertThat(snapshot(api)).isEqualTo(before);
        assertThat(ada(api, witness)).isEmpty();
        Api.Response identity = api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + CLIENT_ID
                + "&client_secret=" + CLIENT_SECRET, null);
        assertThat(identity.status()).isEqualTo(401);
        assertThat(identity.json().path("error_description").asString()).startsWith("No client with requested id");
    }

    @Test
    void applyWhenTheDocumentOrAnEntryIsMalformedThen400NamingIt() {
        Api api = start().api();
        Map<String, JsonNode> before = snapshot(api);
        assertThat(refused(seed(api, "[]"))).contains("JSON object");
        assertThat(refused(seed(api, "{\"roles\": {\"name\": \"x\"}}"))).contains("roles must be an array");
        assertThat(refused(seed(api, "{\"roles\": [\"Reader\"]}"))).contains("roles[0] must be an object");
        assertThat(refused(seed(api, "{\"roles\": [{\"permissions\": []}]}"))).contains("roles[0]").contains("name is required");
        assertThat(refused(seed(api, "{\"instance\": []}"))).contains("instance");
        assertThat(refused(seed(api, "{\"instance\": {\"tokenTtlSeconds\": 0}}"))).contains("instance.tokenTtlSeconds");
        assertThat(refused(seed(api, "{\"roles\": [{\"name\": \"R\", \"permissions\": [\"Read-Everything\"]}]}")))
                .contains("roles[0] (R)").contains("unknown permission 'Read-Everything'");
        assertThat(refused(seed(api, "{\"campaigns\": [{\"name\": \"C\", \"type\": \"nightly\"}]}"))).contains("campaigns[0] (C)")
                .contains("batch or trigger");
        assertThat(refused(seed(api, "{\"leads\": [{\"firstName\": \"No email\"}]}"))).contains("leads[0]").contains("email");
        assertThat(refused(seed(api, example(doc -> entry(doc, "users", 0).put("email", "nul\u0000@example.com")))))
                .contains("users[0].email").contains("NUL");
        assertThat(refused(seed(api, example(doc -> entry(doc, "fields", 0).put("dataType", "integer")))))
                .contains("fields[0] (favouriteColour)").contains("length");
        assertThat(refused(seed(api, example(doc -> entry(doc, "lists", 0).put("description", "d".repeat(2001))))))
                .contains("lists[0] (Newsletter)").contains("2000");
        assertThat(refused(seed(api, example(doc -> entry(doc, "campaigns", 0).put("description", "d".repeat(2001))))))
                .contains("campaigns[0] (Welcome)").contains("2000");
        assertThat(snapshot(api)).isEqualTo(before);
    }

    @Test
    void applyWhenASectionNamesOneThingTwiceThen400NamingBothEntriesAndNothingApplied() {
        TestServer server = start();
        Api api = server.api();
        String witness = server.admin().tokenWith("Read-Only Lead");
        Map<String, JsonNode> before = snapshot(api);
        Map<String, Consumer<ObjectNode>> twice = new LinkedHashMap<>();
        twice.put("partitions[2] ( EMEA ): the same name as partitions[1] (EMEA)",
                doc -> ((ArrayNode) doc.get("partitions")).add(Json.MAPPER.valueToTree(Map.of("name", " EMEA ", "description", "again"))));
        twice.put("roles[2] (Integration): the same name as roles[1] (Integration)",
                doc -> ((ArrayNode) doc.get("roles")).add(Json.MAPPER.valueToTree(Map.of("name", "Integration", "permissions",
                        List.of("Read-Only Lead")))));
        twice.put("users[2] (EU@Example.com): the same e-mail as users[1] (eu@example.com)",
                doc -> ((ArrayNode) doc.get("users")).add(Json.MAPPER.valueToTree(Map.of("email", "EU@Example.com", "apiOnly", true))));
        twice.put("services[1] (Reader again): the same client id (or name, without one) as services[0] (Reader)",
                doc -> ((ArrayNode) doc.get("services")).add(Json.MAPPER.valueToTree(Map.of("name", "Reader again", "user",
                        "reader@example.com", "clientId", CLIENT_ID, "clientSecret", "another-secret-0123456789abcdef"))));
        twice.put("fields[1] (FavouriteColour): the same name as fields[0] (favouriteColour)",
                doc -> ((ArrayNode) doc.get("fields")).add(Json.MAPPER.valueToTree(Map.of("name", "FavouriteColour", "dataType", "string",
                        "length", 255))));
        twice.put("leads[1] (ADA@example.com): the same e-mail in the same partition as leads[0] (ada@example.com)",
                doc -> ((ArrayNode) doc.get("leads")).add(Json.MAPPER.valueToTree(Map.of("email", "ADA@example.com", "firstName", "Augusta"))));
        twice.put("lists[1] (Newsletter): the same name as lists[0] (Newsletter)",
                doc -> ((ArrayNode) doc.get("lists")).add(Json.MAPPER.valueToTree(Map.of("name", "Newsletter", "workspace", "Europe"))));
        twice.put("campaigns[1] (Welcome): the same name as campaigns[0] (Welcome)",
                doc -> ((ArrayNode) doc.get("campaigns")).add(Json.MAPPER.valueToTree(Map.of("name", "Welcome", "type", "batch"))));
        twice.forEach((expected, duplicate) -> {
            String message = refused(seed(api, example(duplicate)));
            assertThat(message).as(expected).contains(expected).contains("give each once");
            assertNothingOfTheExample(api, before, witness);
        });

        // the same e-mail in another partition is another lead, and a service without a client id is matched by name
        counts(applied(api, example(doc -> {
            ((ArrayNode) doc.get("leads")).add(Json.MAPPER.valueToTree(Map.of("partition", "EMEA", "email", "ada@example.com")));
            ((ArrayNode) doc.get("services")).add(Json.MAPPER.valueToTree(Map.of("name", "Second", "user", "reader@example.com")));
        })), 13, 1, 2);
    }

    @Test
    void applyWhenALeadNamesNoPartitionOrANullOneThenItGoesToDefault() {
        TestServer server = start();
        Api api = server.api();
        String token = server.admin().tokenWith("Read-Only Lead");
        counts(applied(api, """
                {"leads": [{"email": "nopartition@example.com"}, {"email": "nullpartition@example.com", "partition": null}]}"""), 2, 0, 0);
        long defaultPartition = named(admin(api, "/partitions"), "name", "Default").path("id").asLong();
        for (String email : List.of("nopartition@example.com", "nullpartition@example.com")) {
            Api.Response r = api.get("/rest/v1/leads.json?filterType=email&filterValues=" + email + "&fields=leadPartitionId", token);
            assertThat(r.result()).as(r.text()).hasSize(1);
            assertThat(r.result().get(0).path("leadPartitionId").asLong()).isEqualTo(defaultPartition);
        }
    }

    @Test
    void applyWhenAFieldExistsWithAnotherTypeThen400() {
        Api api = start().api();
        counts(applied(api, "{\"fields\": [{\"name\": \"shoeSize\", \"dataType\": \"integer\"}]}"), 1, 0, 0);
        assertThat(refused(seed(api, "{\"fields\": [{\"name\": \"shoeSize\", \"dataType\": \"string\"}]}")))
                .contains("fields[0] (shoeSize)").contains("type cannot change");
        assertThat(refused(seed(api, "{\"fields\": [{\"name\": \"email\", \"dataType\": \"email\"}]}"))).contains("standard");
        counts(applied(api, "{\"fields\": [{\"name\": \"shoeSize\", \"dataType\": \"integer\"}]}"), 0, 0, 1);
    }

    // ----- generated credentials -------------------------------------------------------------

    private static final String GENERATED = """
            {"roles": [{"name": "Syncer", "permissions": ["Read-Write Lead"]}],
             "users": [{"email": "sync@example.com", "apiOnly": true, "roles": [{"role": "Syncer"}]}],
             "services": [{"name": "Generated", "user": "sync@example.com"}]}
            """;

    @Test
    void applyWhenAServiceHasNoCredentialsThenTheyAreGeneratedAndReportedOnce() {
        Api api = start().api();
        JsonNode first = applied(api, GENERATED);
        counts(first, 3, 0, 0);
        assertThat(first.path("generated")).hasSize(1);
        JsonNode generated = first.path("generated").get(0);
        assertThat(generated.path("service").asString()).isEqualTo("Generated");
        String clientId = generated.path("clientId").asString();
        String secret = generated.path("clientSecret").asString();
        assertThat(clientId).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(secret).matches("[A-Za-z0-9]{32}");
        JsonNode service = named(admin(api, "/services"), "name", "Generated");
        assertThat(service.path("clientId").asString()).isEqualTo(clientId);
        assertThat(admin(api, "/services/" + service.path("id").asLong() + "/details").path("clientSecret").asString()).isEqualTo(secret);
        token(api, clientId, secret);

        JsonNode second = applied(api, GENERATED);
        counts(second, 0, 0, 3);
        assertThat(second.path("generated")).isEmpty();
        assertThat(second.toString()).doesNotContain(secret);
        token(api, clientId, secret);
    }

    @Test
    void startWhenASeedFileLeavesCredentialsToTheServerThenTheyAreGeneratedOnceAcrossRestarts() {
        Path seed = write("generated.json", GENERATED);
        try (Installation installation = new Installation()) {
            MktoServer first = installation.start(seed);
            assertThat(first.generatedCredentials()).hasSize(1);
            SeedLoader.Generated g = first.generatedCredentials().getFirst();
            assertThat(g.service()).isEqualTo("Generated");
            assertThat(g.toString()).doesNotContain(g.clientSecret());
            Api api = new Api(first.baseUrl());
            JsonNode roleBefore = named(admin(api, "/roles"), "name", "Syncer");
            token(api, g.clientId(), g.clientSecret());
            installation.stop();

            installation.clock.advance(Duration.ofMinutes(5));
            MktoServer second = installation.start(seed);
            assertThat(second.generatedCredentials()).isEmpty();
            Api again = new Api(second.baseUrl());
            token(again, g.clientId(), g.clientSecret());
            assertThat(named(admin(again, "/roles"), "name", "Syncer")).isEqualTo(roleBefore);
        }
    }

    // ----- start-up --------------------------------------------------------------------------

    @Test
    void startWhenTheSeedFileHasABadEntryThenStartFailsNamingTheFileAndTheEntryAndAppliesNothing() {
        String bad = example(doc -> entry(doc, "users", 1).put("emial", "eu@example.com")).toString();
        Path seed = write("bad-seed.json", bad);
        try (Installation installation = new Installation()) {
            assertThatThrownBy(() -> installation.start(seed))
                    .hasMessageContaining(seed.toString())
                    .hasMessageContaining("users[1] (eu@example.com): unknown key 'emial'");
            MktoServer clean = installation.start();
            Api api = new Api(clean.baseUrl());
            assertThat(admin(api, "/partitions")).extracting(p -> p.path("name").asString()).containsExactly("Default");
            assertThat(admin(api, "/roles")).isEmpty();
            assertThat(admin(api, "/users")).isEmpty();
        }
    }

    @Test
    void startWhenTheSeedFileIsNotJsonThenStartFailsNamingTheFileAndTheLine() {
        Path seed = write("broken.json", "{\n  \"roles\": [\n    {\"name\": \"x\",}\n  ]\n}\n");
        try (Installation installation = new Installation()) {
            assertThatThrownBy(() -> installation.start(seed))
                    .hasMessageContaining(seed.toString())
                    .hasMessageContaining("line 3");
        }
    }

    @Test
    void startWhenTheSeedFileIsYamlThenStartFailsSayingSeedsAreJson() {
        Path seed = write("fixtures.yaml", "roles:\n  - name: Reader\n    permissions: [Read-Only Lead]\n");
        try (Installation installation = new Installation()) {
            assertThatThrownBy(() -> installation.start(seed))
                    .hasMessageContaining(seed.toString())
                    .hasMessageContaining("seed files are JSON, not YAML");
        }
    }

    @Test
    void startWhenTheSeedGivesAKeyTwiceThenStartFailsNamingKeyAndLine() {
        Path seed = write("twice.json", "{\"roles\": [{\"name\": \"A\",\n  \"name\": \"B\"}]}");
        try (Installation installation = new Installation()) {
            assertThatThrownBy(() -> installation.start(seed))
                    .hasMessageContaining(seed.toString())
                    .hasMessageContaining("a key given twice in one object (\"name\") at line 2");
        }
    }

    @Test
    void startWhenSeedsComeFromMktoSeedThenTheyAreApplied() {
        Path one = write("one.json", "{\"partitions\": [{\"name\": \"FromEnv\"}]}");
        Path two = write("two.json", "{\"roles\": [{\"name\": \"AlsoFromEnv\"}]}");
        TestServer server = TestServer.start(backend, MutableClock.startingNow(), List.of(),
                Map.of("MKTO_SEED", one + java.io.File.pathSeparator + two));
        opened.add(server);
        assertThat(admin(server.api(), "/partitions")).extracting(p -> p.path("name").asString()).contains("FromEnv");
        assertThat(admin(server.api(), "/roles")).extracting(p -> p.path("name").asString()).contains("AlsoFromEnv");
    }

    /** A data directory and database that outlive one server, for starts that fail and restarts. */
    private final class Installation implements AutoCloseable {
        final MutableClock clock = MutableClock.startingNow();
        private final Path dataDir;
        private final Backend.Database database;
        private MktoServer running;

        Installation() {
            try {
                dataDir = Files.createTempDirectory(dir, "data");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            database = backend.create(dataDir);
        }

        MktoServer start(Path... seeds) {
            List<String> args = new ArrayList<>(List.of("--port", "0", "--data-dir", dataDir.toString(), "--db-url", database.url()));
            if (!database.user().isEmpty()) {
                args.addAll(List.of("--db-user", database.user()));
            }
            for (Path seed : seeds) {
                args.addAll(List.of("--seed", seed.toString()));
            }
            running = MktoServer.start(ServerConfig.parse(args.toArray(String[]::new), Map.of("MKTO_ADMIN_TOKEN", TestServer.ADMIN_TOKEN)),
                    clock);
            return running;
        }

        void stop() {
            if (running != null) {
                running.close();
                running = null;
            }
        }

        @Override
        public void close() {
            stop();
            database.drop().run();
        }
    }
}
