package dev.mkto.server.leads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.SharedSpec;
import dev.mkto.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * The Leads endpoints' answers against Adobe's published response definitions in
 * {@code ../shared/spec/swagger-mapi.json}: each operation's 200 schema, looked up by its path, is
 * checked on real answers. As Marketo does (and part 0 of the behaviour notes decides), successful
 * Lead Database answers leave out {@code errors} and {@code warnings}, which the swagger marks
 * required; those two are checked to be absent instead.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeadShapeTest {

    private static final Set<String> OMITTED_ON_SUCCESS = Set.of("errors", "warnings");

    private Swagger swagger;
    private TestServer server;
    private Api api;
    private String token;

    @BeforeAll
    void start() {
        swagger = new Swagger(SharedSpec.json("swagger-mapi.json"));
        server = TestServer.start(Backend.H2);
        api = server.api();
        token = server.admin().tokenWith("Read-Write Lead");
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String email(String prefix) {
        return AdminClient.unique(prefix) + "@example.com";
    }

    private long createLead(Map<String, Object> fields) {
        Api.Response r = api.post("/rest/v1/leads.json", token, Map.of("input", List.of(fields)));
        assertThat(r.result().get(0).path("status").asString()).as(r.text()).isEqualTo("created");
        return r.result().get(0).path("id").asLong();
    }

    @Test
    void getLeadByIdWhenFoundOrMissingThenResponseOfLead() {
        long id = createLead(Map.of("email", email("shape"), "firstName", "Ada", "annualRevenue", 1.5e6, "unsubscribed", true,
                "dateOfBirth", "1990-12-31", "numberOfEmployees", 12));
        Api.Response found = api.get("/rest/v1/lead/" + id + ".json?fields=email,firstName,annualRevenue,unsubscribed,dateOfBirth,"
                + "numberOfEmployees,createdAt,leadPartitionId", token);
        assertSuccess("get", "/rest/v1/lead/{leadId}.json", found);
        assertThat(found.result()).hasSize(1);
        assertThat(found.result().get(0).path("id").asLong()).isEqualTo(id);
        assertSuccess("get", "/rest/v1/lead/{leadId}.json", api.get("/rest/v1/lead/" + id + ".json", token));
        Api.Response missing = api.get("/rest/v1/lead/987654321.json", token);
        assertSuccess("get", "/rest/v1/lead/{leadId}.json", missing);
        assertThat(missing.result()).isEmpty();
    }

    @Test
    void getLeadsByFilterWhenPagedThenEveryPageIsResponseOfLead() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(createLead(Map.of("email", email("page"), "lastName", "Page " + i)));
        }
        String filter = "/rest/v1/leads.json?filterType=id&filterValues=" + String.join(",", ids.stream().map(String::valueOf).toList())
                + "&fields=email,lastName&batchSize=2";
        Api.Response first = api.get(filter, token);
        assertSuccess("get", "/rest/v1/leads.json", first);
        assertThat(first.json().path("nextPageToken").isString()).isTrue();
        String pageToken = first.json().path("nextPageToken").asString();
        List<Long> seen = new ArrayList<>();
        first.result().forEach(l -> seen.add(l.path("id").asLong()));
        while (pageToken != null) {
            Api.Response next = api.get(filter + "&nextPageToken=" + pageToken, token);
            assertSuccess("get", "/rest/v1/leads.json", next);
            next.result().forEach(l -> seen.add(l.path("id").asLong()));
            pageToken = next.json().path("nextPageToken").asString(null);
        }
        assertThat(seen).containsExactlyElementsOf(ids);
        Api.Response none = api.get("/rest/v1/leads.json?filterType=email&filterValues=nobody-here@example.com", token);
        assertSuccess("get", "/rest/v1/leads.json", none);
        assertThat(none.result()).isEmpty();
    }

    @Test
    void syncWhenRecordsCreatedUpdatedAndSkippedThenResponseOfLeadWithReasons() {
        String existing = email("sync");
        createLead(Map.of("email", existing));
        Api.Response r = api.post("/rest/v1/leads.json", token, Map.of("input", List.of(
                Map.of("email", email("sync"), "firstName", "New"),
                Map.of("email", existing, "firstName", "Again"),
                Map.of("email", "not-an-email"),
                Map.of("email", email("sync"), "emial", "typo"))));
        assertSuccess("post", "/rest/v1/leads.json", r);
        assertThat(r.result()).extracting(n -> n.path("status").asString()).containsExactly("created", "updated", "skipped", "skipped");
        assertReasons(r);
    }

    @Test
    void deleteWhenDeletedAndMissingThenResponseOfLeadWithReasons() {
        long id = createLead(Map.of("email", email("del")));
        Api.Response r = api.post("/rest/v1/leads/delete.json", token, Map.of("input", List.of(Map.of("id", id), Map.of("id", 987654321))));
        assertSuccess("post", "/rest/v1/leads/delete.json", r);
        assertThat(r.result()).extracting(n -> n.path("status").asString()).containsExactly("deleted", "skipped");
        assertReasons(r);
    }

    @Test
    void describeWhenCalledThenResponseOfLeadAttribute() {
        Api.Response r = api.get("/rest/v1/leads/describe.json", token);
        assertSuccess("get", "/rest/v1/leads/describe.json", r);
        assertThat(r.result()).isNotEmpty();
    }

    @Test
    void describe2WhenCalledThenResponseOfLeadAttribute2() {
        Api.Response r = api.get("/rest/v1/leads/describe2.json", token);
        assertSuccess("get", "/rest/v1/leads/describe2.json", r);
        assertThat(r.result()).hasSize(1);
    }

    @Test
    void partitionsWhenReadThenResponseOfLeadPartition() {
        Api.Response r = api.get("/rest/v1/leads/partitions.json", token);
        assertSuccess("get", "/rest/v1/leads/partitions.json", r);
        assertThat(r.result()).isNotEmpty();
    }

    @Test
    void partitionsWhenLeadsMovedOrSkippedThenResponseOfLeadWithReasons() {
        long id = createLead(Map.of("email", email("move")));
        Api.Response r = api.post("/rest/v1/leads/partitions.json", token, Map.of("input", List.of(
                Map.of("id", id, "partitionName", "Default"), Map.of("id", 987654321, "partitionName", "Default"),
                Map.of("id", id, "partitionName", "Nowhere"))));
        assertSuccess("post", "/rest/v1/leads/partitions.json", r);
        assertThat(r.result()).extracting(n -> n.path("status").asString()).containsExactly("updated", "skipped", "skipped");
        assertReasons(r);
    }

    @Test
    void leadEndpointWhenRequestFailsThenErrorEnvelopeWithoutResult() {
        List<Api.Response> failures = List.of(
                api.get("/rest/v1/leads.json?filterValues=a@b.co", token),
                api.get("/rest/v1/lead/abc.json", token),
                api.get("/rest/v1/lead/1.json?fields=nope", token),
                api.post("/rest/v1/leads.json", token, "{\"input\": ["),
                api.method("POST", "/rest/v1/leads.json", token, "text/plain", "{}"),
                api.post("/rest/v1/leads/delete.json", token, Map.of("input", List.of(Map.of("id", "x")))),
                api.post("/rest/v1/leads/partitions.json", token, "[]"),
                api.get("/rest/v1/leads/describe.json", null),
                api.get("/rest/v1/leads/describe2.json", "cdf01657-110d-4155-99a7-f986b2ff13a0:mk"),
                api.method("DELETE", "/rest/v1/leads/partitions.json", token, null, null));
        for (Api.Response r : failures) {
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.success()).as(r.text()).isFalse();
            assertThat(swagger.check(r.json(), "#/definitions/ResponseWithoutResult", Set.of())).as(r.text()).isEmpty();
            assertThat(r.json().path("errors")).as(r.text()).hasSize(1);
            assertThat(swagger.check(r.json().path("errors").get(0), "#/definitions/Error", Set.of())).as(r.text()).isEmpty();
            assertThat(r.json().has("result")).as(r.text()).isFalse();
        }
    }

    @Test
    void checkerWhenAnswerDepartsFromSchemaThenNamesEachDeparture() {
        JsonNode bad = tools.jackson.databind.json.JsonMapper.shared().readTree("""
                {"requestId": 7, "success": "yes", "result": [{"id": 99999999999}, "x", {"id": "1", "reason": {"code": 1}}],
                 "nextPageToken": 5, "errors": {}}""");
        assertThat(swagger.check(bad, "#/definitions/ResponseOfLead", OMITTED_ON_SUCCESS)).containsExactlyInAnyOrder(
                "$.errors: expected array but was {}",
                "$.nextPageToken: expected string but was 5",
                "$.requestId: expected string but was 7",
                "$.result[0].id: expected integer (int32) but was 99999999999",
                "$.result[1]: expected object but was \"x\"",
                "$.result[2].id: expected integer (int32) but was \"1\"",
                "$.result[2].reason: missing required 'message'",
                "$.result[2].reason.code: expected string but was 1",
                "$.success: expected boolean but was \"yes\"");
        assertThat(swagger.check(Api.object(), "#/definitions/ResponseOfLead", Set.of()))
                .containsExactlyInAnyOrder("$: missing required 'errors'", "$: missing required 'requestId'",
                        "$: missing required 'result'", "$: missing required 'success'", "$: missing required 'warnings'");
    }

    /** A success answer fits the operation's 200 schema, less the two members Marketo leaves out. */
    private void assertSuccess(String method, String path, Api.Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.success()).as(r.text()).isTrue();
        String schema = swagger.responseSchema(method, path);
        assertThat(swagger.check(r.json(), schema, OMITTED_ON_SUCCESS)).as("%s %s against %s: %s", method, path, schema, r.text()).isEmpty();
        for (String omitted : OMITTED_ON_SUCCESS) {
            assertThat(r.json().has(omitted)).as("%s on success: %s", omitted, r.text()).isFalse();
        }
    }

    /**
     * Skipped records carry {@code reasons}, an array of {@code Reason}, as Marketo answers and its
     * guides show; the swagger's {@code Lead} declares a single {@code reason} instead, so the array's
     * items are checked against {@code Reason} here.
     */
    private void assertReasons(Api.Response r) {
        for (JsonNode record : r.result()) {
            if (record.path("status").asString().equals("skipped")) {
                assertThat(record.path("reasons").isArray() && !record.path("reasons").isEmpty()).as(record.toString()).isTrue();
                for (JsonNode reason : record.path("reasons")) {
                    assertThat(swagger.check(reason, "#/definitions/Reason", Set.of())).as(record.toString()).isEmpty();
                    assertThat(reason.path("code").asString()).matches("1\\d{3}");
                }
            } else {
                assertThat(record.has("reasons")).as(record.toString()).isFalse();
            }
        }
    }

    /**
     * Just enough of Swagger 2.0 schemas to hold answers to them: {@code $ref} (with siblings, as
     * Adobe writes them), {@code type}, {@code format} int32/int64 ranges, {@code required},
     * {@code properties} and {@code items}. Members a schema does not declare are allowed: a lead
     * carries whatever fields were asked for.
     */
    private static final class Swagger {
        private final JsonNode root;

        Swagger(JsonNode root) {
            this.root = root;
        }

        /** The {@code $ref} of an operation's 200 response schema. */
        String responseSchema(String method, String path) {
            JsonNode schema = root.path("paths").path(path).path(method).path("responses").path("200").path("schema");
            assertThat(schema.path("$ref").isString()).as("swagger has a 200 schema for %s %s", method, path).isTrue();
            return schema.path("$ref").asString();
        }

        /** Where {@code value} departs from {@code ref}; {@code notRequired} relaxes the top level's required list. */
        List<String> check(JsonNode value, String ref, Set<String> notRequired) {
            List<String> problems = new ArrayList<>();
            check(value, resolve(ref), "$", notRequired, problems);
            return problems;
        }

        private JsonNode resolve(String ref) {
            assertThat(ref).startsWith("#/");
            JsonNode node = root;
            for (String part : ref.substring(2).split("/")) {
                node = node.path(part.replace("~1", "/").replace("~0", "~"));
            }
            assertThat(node.isObject()).as("swagger defines %s", ref).isTrue();
            return node;
        }

        private void check(JsonNode value, JsonNode schema, String at, Set<String> notRequired, List<String> problems) {
            if (schema.has("$ref")) {
                schema = resolve(schema.path("$ref").asString());
            }
            String type = schema.path("type").asString("");
            if (!type.isEmpty() && !hasType(value, type, schema.path("format").asString(""))) {
                problems.add(at + ": expected " + type + (schema.has("format") ? " (" + schema.path("format").asString() + ")" : "")
                        + " but was " + value);
                return;
            }
            for (JsonNode name : schema.path("required")) {
                if (!value.has(name.asString()) && !notRequired.contains(name.asString())) {
                    problems.add(at + ": missing required '" + name.asString() + "'");
                }
            }
            for (var property : schema.path("properties").properties()) {
                if (value.has(property.getKey())) {
                    check(value.get(property.getKey()), property.getValue(), at + "." + property.getKey(), Set.of(), problems);
                }
            }
            if (value.isArray() && schema.has("items")) {
                for (int i = 0; i < value.size(); i++) {
                    check(value.get(i), schema.path("items"), at + "[" + i + "]", Set.of(), problems);
                }
            }
        }

        private static boolean hasType(JsonNode value, String type, String format) {
            return switch (type) {
                case "object" -> value.isObject();
                case "array" -> value.isArray();
                case "string" -> value.isString();
                case "boolean" -> value.isBoolean();
                case "number" -> value.isNumber();
                case "integer" -> value.isIntegralNumber() && switch (format) {
                    case "int32" -> value.canConvertToInt();
                    case "int64" -> value.canConvertToLong();
                    default -> true;
                };
                default -> throw new IllegalArgumentException("schema type " + type);
            };
        }
    }
}
