package dev.mkto.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.Envelope;
import dev.mkto.server.testing.RawHttp;
import dev.mkto.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Bad input on every endpoint the server answers, with a token that may call all of them: each
 * answer is the Marketo code that fits, never an HTTP 5xx or 611, never a stack trace or a Java
 * class name. The generic batteries run once per endpoint of {@code MktoServer.endpoints()}; the
 * endpoint-specific ones name the code each body shape deserves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

    private static final String SYNC = "POST /rest/v1/leads.json";
    private static final String DELETE = "POST /rest/v1/leads/delete.json";
    private static final String MOVE = "POST /rest/v1/leads/partitions.json";
    private static final String UM = "/userservice/management/v1/users";
    private static final String INVITE = "POST " + UM + "/invite.json";
    private static final String UPDATE = "POST " + UM + "/{userid}/update.json";
    private static final String ADD_ROLES = "POST " + UM + "/{userid}/roles/create.json";
    private static final String REMOVE_ROLES = "POST " + UM + "/{userid}/roles/delete.json";
    /** Endpoints that read a JSON body; every other POST must be listed in {@link #POST_WITHOUT_BODY}. */
    private static final String TYPE = "POST /rest/v1/activities/external/type/{apiName}";
    private static final String SCHEMA = "POST /rest/v1/customobjects/schema/{apiName}";
    private static final Set<String> JSON_BODY = Set.of(SYNC, DELETE, MOVE, INVITE, UPDATE, ADD_ROLES, REMOVE_ROLES,
            "POST /rest/v1/activities/external.json", "POST /rest/v1/activities/external/type.json", TYPE + ".json",
            TYPE + "/attributes/create.json", TYPE + "/attributes/update.json", TYPE + "/attributes/delete.json",
            "POST /rest/v1/lists/{listId}/leads.json", "POST /rest/v1/campaigns/{id}/trigger.json",
            "POST /rest/v1/campaigns/{id}/schedule.json", "POST /bulk/v1/leads/export/create.json",
            "POST /bulk/v1/activities/export/create.json", "GET /rest/v1/lists/{listId}/leads/ismember.json",
            "DELETE /rest/v1/lists/{listId}/leads.json", "POST /rest/v1/companies.json", "POST /rest/v1/companies/delete.json",
            "POST /rest/v1/opportunities.json", "POST /rest/v1/opportunities/delete.json", "POST /rest/v1/opportunities/roles.json",
            "POST /rest/v1/opportunities/roles/delete.json", "POST /rest/v1/namedaccounts.json", "POST /rest/v1/namedaccounts/delete.json",
            "POST /rest/v1/namedAccountLists.json", "POST /rest/v1/namedAccountLists/delete.json",
            "POST /rest/v1/namedAccountList/{id}/namedAccounts.json", "POST /rest/v1/namedAccountList/{id}/namedAccounts/remove.json",
            "POST /rest/v1/salespersons.json", "POST /rest/v1/salespersons/delete.json",
            "POST /rest/v1/customobjects/{customObjectName}.json", "POST /rest/v1/customobjects/{customObjectName}/delete.json",
            "POST /rest/v1/customobjects/schema.json", SCHEMA + "/addField.json", SCHEMA + "/deleteField.json",
            SCHEMA + "/{fieldApiName}/updateField.json");
    private static final Set<String> POST_WITHOUT_BODY = Set.of("POST " + UM + "/{userid}/delete.json",
            "POST " + UM + "/{userid}/invite/delete.json", TYPE + "/approve.json", TYPE + "/discardDraft.json",
            TYPE + "/delete.json", "POST /bulk/v1/leads/export/{exportId}/enqueue.json",
            "POST /bulk/v1/leads/export/{exportId}/cancel.json", "POST /bulk/v1/activities/export/{exportId}/enqueue.json",
            "POST /bulk/v1/activities/export/{exportId}/cancel.json", SCHEMA + "/approve.json", SCHEMA + "/discardDraft.json",
            SCHEMA + "/delete.json");

    private static final int MB = 1024 * 1024;
    /** Stands for any User Management endpoint where a check needs only the surface. */
    private static final Endpoint ANY_USER_MANAGEMENT = new Endpoint("*", UM + "/*", UM);

    private TestServer server;
    private Api api;
    private AdminClient admin;
    private String token;
    private String target;
    private long roleId;
    private long leadId;
    private List<Endpoint> endpoints;

    /** One endpoint as the server lists it, and the concrete request path the batteries use. */
    record Endpoint(String method, String template, String path) {
        String key() {
            return method + " " + template;
        }

        boolean userManagement() {
            return template.startsWith("/userservice/");
        }

        @Override
        public String toString() {
            return key();
        }
    }

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.H2);
        api = server.api();
        admin = server.admin();
        // the batteries make thousands of calls; the limits themselves are LimitsTest's subject
        admin.patch("/instance", Map.of("limits", Map.of("rateCalls", 1_000_000, "concurrent", 1000, "dailyQuota", 1_000_000_000)));
        String role = AdminClient.unique("all");
        roleId = admin.role(role, "Access API");
        String caller = AdminClient.unique("caller") + "@example.com";
        admin.apiUser(caller, role);
        token = admin.token(admin.service(AdminClient.unique("svc"), caller));
        target = AdminClient.unique("target") + "@example.com";
        admin.apiUser(target, role);
        Api.Response lead = api.post("/rest/v1/leads.json", token, Map.of("input", List.of(Map.of("email", "bad-input@example.com"))));
        leadId = lead.result().get(0).path("id").asLong();
        String nobody = AdminClient.unique("nobody") + "@example.com";
        endpoints = server.server().endpoints().stream().map(e -> {
            String[] parts = e.split(" ", 2);
            String user = parts[1].endsWith("/delete.json") && parts[1].contains("{userid}") && !parts[1].contains("/roles/")
                    ? nobody : target;
            // every other path variable names something that does not exist: the answer is a not-found code
            return new Endpoint(parts[0], parts[1], parts[1].replace("{id}", Long.toString(leadId)).replace("{userid}", user)
                    .replaceAll("\\{[A-Za-z]+\\}", "987654321"));
        }).toList();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    Stream<Endpoint> endpoints() {
        return endpoints.stream();
    }

    // ----- every endpoint ------------------------------------------------------------------

    @Test
    void endpointsWhenListedThenEachPostIsClassifiedForItsBody() {
        assertThat(endpoints).hasSizeGreaterThanOrEqualTo(20);
        for (Endpoint e : endpoints) {
            if (e.method().equals("POST")) {
                assertThat(JSON_BODY.contains(e.key()) || POST_WITHOUT_BODY.contains(e.key()))
                        .as("%s: say whether it reads a JSON body, so the batteries know what to expect", e).isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void anyEndpointWhenUriOver8KbThen414(Endpoint e) {
        Api.Response longQuery = send(e, e.method(), e.path() + "?pad=" + "x".repeat(9000), null, null);
        expect(e, longQuery, "414");
        Api.Response longPath = send(e, e.method(), e.path().replace(".json", "x".repeat(9000) + ".json"), null, null);
        expect(e, longPath, "414");
        Api.Response atLimit = send(e, e.method(), e.path() + "?pad=" + "x".repeat(8000 - e.path().length()), null, null);
        assertSane(e, atLimit);
        assertThat(atLimit.status()).isNotEqualTo(414);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void anyEndpointWhenBodyOver1MbThen413(Endpoint e) {
        byte[] big = ("{\"input\":[{\"email\":\"" + "x".repeat(MB) + "@example.com\"}]}").getBytes(StandardCharsets.UTF_8);
        expect(e, send(e, e.method(), e.path(), "application/json", big), "413");
        byte[] justUnder = ("{\"input\":[{\"email\":\"" + "x".repeat(MB - 100) + "\"}]}").getBytes(StandardCharsets.UTF_8);
        Api.Response r = send(e, e.method(), e.path(), "application/json", justUnder);
        assertSane(e, r);
        assertThat(r.status()).isNotEqualTo(413);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void anyEndpointWhenMethodUnsupportedThen605(Endpoint e) {
        Set<String> registered = methodsOf(e.template());
        for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "FOO")) {
            if (!registered.contains(method)) {
                expect(e, send(e, method, e.path(), null, null), "605");
            }
        }
        Api.Response head = send(e, "HEAD", e.path(), null, null);
        assertThat(head.status()).as("HEAD %s", e).isLessThan(500);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void anyEndpointWhenPostedWithMethodGetAndFormBodyThenAnsweredAsGetOr605(Endpoint e) {
        byte[] form = "fields=email%2CfirstName&pageSize=5&x=%E2%80%AE%00".getBytes(StandardCharsets.US_ASCII);
        Api.Response viaPost = send(e, "POST", e.path() + "?_method=GET", "application/x-www-form-urlencoded", form);
        if (methodsOf(e.template()).contains("GET")) {
            Api.Response viaGet = send(e, "GET", e.path() + "?fields=email%2CfirstName&pageSize=5&x=%E2%80%AE%00", null, null);
            assertSane(e, viaPost);
            assertThat(outcome(viaPost)).as("%s via POST _method=GET", e).isEqualTo(outcome(viaGet));
            if (!e.template().startsWith("/rest/v1/stats/")) { // usage counts the call before it
                assertThat(withoutRequestId(viaPost.json())).isEqualTo(withoutRequestId(viaGet.json()));
            }
        } else {
            expect(e, viaPost, "605");
        }
        for (String override : List.of("PUT", "DELETE", "garbage", "%00", "G%20ET")) {
            expect(e, send(e, "POST", e.path() + "?_method=" + override, "application/x-www-form-urlencoded", form), "605");
        }
        Api.Response lower = send(e, "POST", e.path() + "?_method=get", "application/x-www-form-urlencoded", form);
        assertThat(outcome(lower)).isEqualTo(outcome(viaPost));
        Api.Response garbled = send(e, "POST", e.path() + "?_method=GET", "application/x-www-form-urlencoded",
                "%%%&&==&=&%ZZ=%&fields".getBytes(StandardCharsets.US_ASCII));
        assertSane(e, garbled);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void anyEndpointWhenBodyIsMalformedJsonThen609OrBodyIgnored(Endpoint e) {
        String baseline = outcome(send(e, e.method(), e.path(), null, null));
        List<byte[]> bodies = new ArrayList<>();
        for (String s : List.of("{", "{\"input\": [}", "nul", "{'input': []}", "{\"input\":[{\"email\":\"a@b.co\",}]}",
                "{\"input\":[]} trailing", "{\"input\":[]}{}", "\u0000", "[".repeat(5000) + "]".repeat(5000),
                "{\"input\":[{\"annualRevenue\":" + "9".repeat(2000) + "}]}", "{\"input\":[{\"email\":\"\\uZZZZ\"}]}")) {
            bodies.add(s.getBytes(StandardCharsets.UTF_8));
        }
        bodies.add(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'});
        for (byte[] body : bodies) {
            Api.Response r = send(e, e.method(), e.path(), "application/json", body);
            if (JSON_BODY.contains(e.key())) {
                expect(e, r, "609");
            } else {
                assertSane(e, r);
                assertThat(outcome(r)).as("%s ignores a body it does not read", e).isEqualTo(baseline);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void anyEndpointWhenContentTypeIsNotJsonThen612(Endpoint e) {
        String baseline = outcome(send(e, e.method(), e.path(), null, null));
        byte[] body = validBody(e).getBytes(StandardCharsets.UTF_8);
        List<String> types = new ArrayList<>(List.of("text/plain", "application/xml", "text/json", "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded", "garbage", ";;;", "/", "application/", "a/b/c"));
        types.add(null);
        for (String type : types) {
            Api.Response r = send(e, e.method(), e.path(), type, body);
            if (JSON_BODY.contains(e.key())) {
                expect(e, r, "612");
            } else {
                assertSane(e, r);
                assertThat(outcome(r)).as("%s with Content-Type %s", e, type).isEqualTo(baseline);
            }
        }
        for (String type : List.of("application/json; charset=UTF-8", "APPLICATION/JSON", "application/vnd.marketo+json",
                "application/json; q", "application/json;;")) {
            Api.Response r = send(e, e.method(), e.path(), type, body);
            assertSane(e, r);
            assertThat(r.errorCode()).as("%s with Content-Type %s", e, type).isNotEqualTo("612");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void anyEndpointWhenQueryHasUnknownParametersThenTheyAreIgnored(Endpoint e) {
        byte[] body = JSON_BODY.contains(e.key()) ? "{}".getBytes(StandardCharsets.UTF_8) : null;
        String type = body == null ? null : "application/json";
        Api.Response plain = send(e, e.method(), e.path(), type, body);
        Api.Response noisy = send(e, e.method(), e.path() + "?bogus=1&%C3%BCnic%C3%B6de=%E2%80%AE&x%00y=%00&=&&bogus=2",
                type, body);
        assertSane(e, noisy);
        assertThat(outcome(noisy)).isEqualTo(outcome(plain));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void anyEndpointWhenPathHasEmptyOrDotSegmentsThen610(Endpoint e) {
        List<String> variants = new ArrayList<>();
        for (int i = e.path().indexOf('/'); i >= 0; i = e.path().indexOf('/', i + 1)) {
            variants.add(e.path().substring(0, i) + "/" + e.path().substring(i));
        }
        int last = e.path().lastIndexOf('/');
        variants.add(e.path() + "/");
        variants.add(e.path().substring(0, last) + "/." + e.path().substring(last));
        variants.add(e.path().substring(0, last) + "/x/.." + e.path().substring(last));
        variants.add(e.path().substring(0, last) + "%2F" + e.path().substring(last + 1));
        variants.add(e.path() + ";jsessionid=1");
        for (String path : variants) {
            Api.Response r = send(e, e.method(), path, null, null);
            assertThat(r.errorCode()).as("%s %s -> %s", e.method(), path, r.text()).isEqualTo("610");
            assertSane(e, r);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void anyEndpointWhenParametersHoldUnicodeControlOrHugeValuesThenNoServerError(Endpoint e) {
        List<String> values = List.of("%E2%80%AE%F0%9F%98%80%E4%B8%AD", "%00%01%1B%7F", "%ED%A0%80%FF%C0%AF", "x".repeat(7000),
                "-1", "99999999999999999999", "1e3", "%20%09", ",,,", "%25zz", "email%2C%2Cid", "null", "%5B%5D");
        for (String v : values) {
            String query = "?fields=" + v + "&filterType=" + v + "&filterValues=" + v + "&batchSize=" + v + "&nextPageToken=" + v
                    + "&id=" + v + "&pageSize=" + v + "&pageOffset=" + v;
            String path = e.path() + (query.length() + e.path().length() < 8000 ? query : "?fields=" + v);
            Api.Response r = send(e, e.method(), path, null, null);
            assertSane(e, r);
            assertThat(r.status()).isNotEqualTo(414);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void anyEndpointWhenParametersRepeatedThenNoServerError(Endpoint e) {
        String query = "?fields=email&fields=id&filterType=email&filterType=id&filterValues=a%40b.co&filterValues=1"
                + "&batchSize=10&batchSize=20&id=1&id=2&pageSize=1&pageSize=2&_method=GET&_method=POST";
        assertSane(e, send(e, e.method(), e.path() + query, null, null));
    }

    // ----- leads ---------------------------------------------------------------------------

    @Test
    void getLeadWhenIdIsNotAPositiveIntegerThen610() {
        for (String id : List.of("abc", "-1", "0", "-0", "1.5", "1e3", "0x10", "99999999999999999999", "%20", "%00", "1%00",
                "%E2%80%AE1", "x".repeat(3000))) {
            Api.Response r = api.get("/rest/v1/lead/" + id + ".json", token);
            assertThat(r.errorCode()).as("id %s -> %s", id, r.text()).isEqualTo("610");
            assertSane(null, r);
        }
        assertThat(api.get("/rest/v1/lead/.json", token).errorCode()).isEqualTo("610");
        assertThat(api.get("/rest/v1/lead/" + leadId + ".json", token).result()).hasSize(1);
    }

    @Test
    void messagesWhenTheyQuoteAHugeOrControlValueThenAtMostAHundredPrintableCharacters() {
        String huge = "\u001b[31m" + "p".repeat(5000);
        Api.Response sync = api.post("/rest/v1/leads.json", token, Map.of("partitionName", huge,
                "input", List.of(Map.of("email", "echo@example.com"))));
        String reason = sync.result().get(0).path("reasons").get(0).path("message").asString();
        assertThat(reason).as(sync.text()).startsWith("Access denied to partition '[31mppp").hasSizeLessThan(140).doesNotContain("\u001b");
        Api.Response grant = api.get("/identity/oauth/token?grant_type=" + "g".repeat(5000) + "&client_id=a&client_secret=b", null);
        assertThat(grant.json().path("error_description").asString()).as(grant.text()).hasSizeLessThan(140);
    }

    @Test
    void unknownPathWhenCalledWithOrWithoutTokenThen610() {
        for (String path : List.of("/rest/v1/nope.json", "/rest/v2/leads.json", "/rest/v1/leads", "/rest/v1/lead/1",
                "/rest/v1/lead/1.json/extra", "/rest", "/rest/", "/rest/v1/", "/bulk/v1/leads/exports.json", "/rest/bulk/v1/leads.json",
                "/rest/rest/v1/leads.json", "/rest/v1/LEADS.json", "/rest/v1/leads.JSON", "/rest/v1/leads.json.json",
                "/rest/v1/%E2%80%AE.json", "/rest/v1/%00.json")) {
            for (String bearer : new String[] {token, null}) {
                Api.Response r = api.get(path, bearer);
                assertThat(r.errorCode()).as("%s -> %s", path, r.text()).isEqualTo("610");
                assertThat(r.status()).isEqualTo(200);
                assertSane(null, r);
            }
        }
        Api.Response um = api.get(UM + "/x/unknown.json", token);
        assertThat(um.status()).isEqualTo(404);
        assertThat(um.errorCode()).isEqualTo("610");
    }

    @Test
    void userManagementWhenUserIdUnknownOrStrangeThen404() {
        for (String userid : List.of("nobody%40example.com", "%E2%80%AE%F0%9F%98%80", "%00", "x".repeat(3000), "..%2F..")) {
            Api.Response r = api.get(UM + "/" + userid + "/user.json", token);
            assertThat(r.status()).as("%s -> %s", userid, r.text()).isEqualTo(404);
            assertSane(ANY_USER_MANAGEMENT, r);
        }
    }

    @Test
    void queryWhenParametersHoldUnicodeControlOrLongStringsThenDocumentedCodes() {
        assertThat(query("filterType=%E2%80%AEemail&filterValues=a").errorCode()).isEqualTo("1011");
        assertThat(query("filterType=em%00ail&filterValues=a").errorCode()).isEqualTo("1011");
        assertThat(query("filterType=" + "x".repeat(7000) + "&filterValues=a").errorCode()).isEqualTo("1011");
        for (String v : List.of("%F0%9F%98%80%40example.com", "%00%01%1B", "%ED%A0%80%FF", "x".repeat(7000), "%2C%2Ca%2C")) {
            Api.Response r = query("filterType=email&filterValues=" + v);
            assertThat(r.success()).as("%s -> %s", v, r.text()).isTrue();
            assertThat(r.result()).isEmpty();
        }
        assertThat(query("filterType=email&filterValues=a&fields=" + "x".repeat(7000)).errorCode()).isEqualTo("1006");
        assertThat(query("filterType=email&filterValues=a&fields=email%2C%E2%80%AE").errorCode()).isEqualTo("1006");
        for (String size : List.of("0", "-1", "301", "1e2", "%F0%9F%98%80", "99999999999999999999", "1.0")) {
            assertThat(query("filterType=email&filterValues=a&batchSize=" + size).errorCode()).as("batchSize %s", size).isEqualTo("1003");
        }
        for (String pageToken : List.of("%F0%9F%98%80", "%00", "bGVhZDotMQ", "bGVhZDo5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "x".repeat(7000),
                "GIYDAOBNGEYS2MBWKQYDAORQGA5DAMBOGAYDAKZQGAYDALBQ")) {
            assertThat(query("filterType=email&filterValues=a&nextPageToken=" + pageToken).errorCode()).isEqualTo("1003");
        }
        assertThat(query("filterType=id&filterValues=99999999999999999999%2C-1%2Cx").result()).isEmpty();
        assertThat(query("filterType=leadPartitionId&filterValues=x%2C99999999999999999999").result()).isEmpty();
    }

    @Test
    void queryWhenParametersRepeatedThenValuesJoinedAsAList() {
        assertThat(query("filterType=id&filterValues=" + leadId + "&filterValues=987654321").result()).hasSize(1);
        assertThat(query("filterType=id&filterValues=" + leadId + "&fields=email&fields=firstName").result().get(0).path("email")
                .asString()).isEqualTo("bad-input@example.com");
        assertThat(query("filterType=email&filterType=id&filterValues=1").errorCode()).isEqualTo("1011");
        assertThat(query("filterType=id&filterValues=1&batchSize=10&batchSize=20").errorCode()).isEqualTo("1003");
    }

    @Test
    void batchWhenOver300RecordsThen1003AndAt300Accepted() {
        List<Map<String, Object>> leads = new ArrayList<>();
        List<Map<String, Object>> ids = new ArrayList<>();
        List<Map<String, Object>> moves = new ArrayList<>();
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < 301; i++) {
            leads.add(Map.of("email", "batch" + i + "@example.com"));
            ids.add(Map.of("id", 900_000_000 + i));
            moves.add(Map.of("id", 900_000_000 + i, "partitionName", "Default"));
            values.append(i == 0 ? "" : ",").append(900_000_000 + i);
        }
        assertThat(api.post("/rest/v1/leads.json", token, Map.of("input", leads)).errorCode()).isEqualTo("1003");
        assertThat(api.post("/rest/v1/leads/delete.json", token, Map.of("input", ids)).errorCode()).isEqualTo("1003");
        assertThat(api.method("POST", "/rest/v1/leads/delete.json?id=" + values, token, null, null).errorCode()).isEqualTo("1003");
        assertThat(api.post("/rest/v1/leads/partitions.json", token, Map.of("input", moves)).errorCode()).isEqualTo("1003");
        assertThat(query("filterType=id&filterValues=" + values).errorCode()).isEqualTo("1003");

        assertThat(api.post("/rest/v1/leads/delete.json", token, Map.of("input", ids.subList(0, 300))).result()).hasSize(300);
        assertThat(api.post("/rest/v1/leads/partitions.json", token, Map.of("input", moves.subList(0, 300))).result()).hasSize(300);
        assertThat(query("filterType=id&filterValues=" + values.substring(0, values.lastIndexOf(","))).success()).isTrue();
        assertThat(api.post("/rest/v1/leads.json", token, Map.of("input", leads.subList(0, 300))).result()).hasSize(300);
    }

    @Test
    void leadBodiesWhenShapeIsWrongThenDocumentedCodes() {
        for (String path : List.of("/rest/v1/leads.json", "/rest/v1/leads/delete.json", "/rest/v1/leads/partitions.json")) {
            Map<String, String> expected = new LinkedHashMap<>();
            expected.put("[{\"input\":[{\"id\":1}]}]", "609");
            expected.put("\"input\"", "609");
            expected.put("42", "609");
            expected.put("null", "609");
            expected.put("true", "609");
            expected.put("{\"input\":\"[{}]\"}", "609");
            expected.put("{\"input\":{\"id\":1}}", "609");
            expected.put("{\"input\":42}", "609");
            expected.put("{\"input\":null}", "701");
            expected.put("{\"input\":[]}", "701");
            expected.put("{}", "701");
            expected.put("{\"bogus\":[{\"id\":1}]}", "701");
            for (Map.Entry<String, String> c : expected.entrySet()) {
                Api.Response r = api.post(path, token, c.getKey());
                assertThat(r.errorCode()).as("%s %s -> %s", path, c.getKey(), r.text()).isEqualTo(c.getValue());
                assertSane(null, r);
            }
        }
        Map<String, String> sync = new LinkedHashMap<>();
        sync.put("{\"action\":1,\"input\":[{\"email\":\"a@b.co\"}]}", "609");
        sync.put("{\"action\":[\"createOnly\"],\"input\":[{\"email\":\"a@b.co\"}]}", "609");
        sync.put("{\"lookupField\":1,\"input\":[{\"email\":\"a@b.co\"}]}", "609");
        sync.put("{\"partitionName\":{\"name\":\"Default\"},\"input\":[{\"email\":\"a@b.co\"}]}", "609");
        sync.put("{\"asyncProcessing\":\"yes\",\"input\":[{\"email\":\"a@b.co\"}]}", "609");
        sync.put("{\"action\":\"\\u0000\",\"input\":[{\"email\":\"a@b.co\"}]}", "1003");
        sync.put("{\"lookupField\":\"\\u202eemail\",\"input\":[{\"email\":\"a@b.co\"}]}", "1006");
        sync.put("{\"lookupField\":\"firstName\",\"input\":[{\"email\":\"a@b.co\"}]}", "1011");
        for (Map.Entry<String, String> c : sync.entrySet()) {
            Api.Response r = api.post("/rest/v1/leads.json", token, c.getKey());
            assertThat(r.errorCode()).as("%s -> %s", c.getKey(), r.text()).isEqualTo(c.getValue());
        }
        assertThat(api.post("/rest/v1/leads/delete.json", token, "{\"input\":[{\"id\":\"1\"}]}").errorCode()).isEqualTo("1003");
        assertThat(api.post("/rest/v1/leads/delete.json", token, "{\"input\":[\"1\"]}").errorCode()).isEqualTo("1003");
        assertThat(api.post("/rest/v1/leads/delete.json", token, "{\"input\":[{\"id\":99999999999999999999}]}").errorCode())
                .isEqualTo("1003");
        assertThat(api.post("/rest/v1/leads/partitions.json", token, "{\"input\":[{\"id\":1,\"partitionName\":1}]}").errorCode())
                .isEqualTo("1003");
        assertThat(api.post("/rest/v1/leads/partitions.json", token, "{\"input\":[{\"id\":1.5,\"partitionName\":\"Default\"}]}")
                .errorCode()).isEqualTo("1003");
        assertThat(api.post("/rest/v1/leads/partitions.json", token, "{\"input\":[\"Default\"]}").errorCode()).isEqualTo("609");
    }

    @Test
    void bodyWhenAKeyIsGivenTwiceThenRefusedAndNothingWritten() {
        String email = AdminClient.unique("twice") + "@example.com";
        Api.Response sync = api.post("/rest/v1/leads.json", token, "{\"input\":[{\"email\":\"" + email + "\",\"firstName\":\"A\","
                + "\"firstName\":\"B\"}]}");
        assertThat(sync.errorCode()).as(sync.text()).isEqualTo("609");
        Api.Response twiceAtTop = api.post("/rest/v1/leads.json", token, "{\"action\":\"createOnly\",\"action\":\"updateOnly\","
                + "\"input\":[{\"email\":\"" + email + "\"}]}");
        assertThat(twiceAtTop.errorCode()).as(twiceAtTop.text()).isEqualTo("609");
        Api.Response cased = api.post("/rest/v1/leads.json", token, "{\"input\":[{\"email\":\"" + email + "\",\"Email\":\"other-"
                + email + "\"}]}");
        assertThat(cased.success()).as(cased.text()).isTrue();
        assertThat(cased.result().get(0).path("status").asString()).isEqualTo("skipped");
        assertThat(cased.result().get(0).path("reasons").get(0).path("code").asString()).isEqualTo("1003");
        assertThat(cased.result().get(0).path("reasons").get(0).path("message").asString())
                .isEqualTo("Field 'email' is given twice (as 'Email' too)");
        assertThat(query("filterType=email&filterValues=" + email + ",other-" + email).result()).isEmpty();

        String role = AdminClient.unique("twice");
        Api.Response admin2 = api.post("/admin/api/v1/roles", TestServer.ADMIN_TOKEN, "{\"name\":\"" + role + "\",\"name\":\"" + role
                + "-2\",\"permissions\":[]}");
        assertThat(admin2.status()).as(admin2.text()).isEqualTo(400);
        assertThat(admin2.text()).contains("the body gives a key twice in one object (\\\"name\\\")");
        assertThat(admin.get("/roles").text()).doesNotContain(role);
    }

    @Test
    void syncWhenRecordValuesAreStrangeThenRecordLevelCodes() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("\"input\":[\"a@b.co\"]", "1003");
        expected.put("\"input\":[[{\"email\":\"a@b.co\"}]]", "1003");
        expected.put("\"input\":[{\"email\":12345}]", "1001");
        expected.put("\"input\":[{\"email\":[\"a@b.co\"]}]", "1001");
        expected.put("\"input\":[{\"email\":\"a\\u0000@b.co\"}]", "1001");
        expected.put("\"input\":[{\"email\":\"s@b.co\",\"annualRevenue\":1e400}]", "1001");
        expected.put("\"input\":[{\"email\":\"s@b.co\",\"numberOfEmployees\":99999999999999999999}]", "1001");
        expected.put("\"input\":[{\"email\":\"s@b.co\",\"dateOfBirth\":\"+999999999-12-31\"}]", "1001");
        expected.put("\"input\":[{\"email\":\"s@b.co\",\"dateOfBirth\":\"-0001-01-01\"}]", "1001");
        expected.put("\"input\":[{\"email\":\"s@b.co\",\"firstName\":\"" + "\u00e9".repeat(256) + "\"}]", "1001");
        expected.put("\"input\":[{\"email\":\"s@b.co\",\"bogus\\u0000\":1}]", "1006");
        expected.put("\"input\":[{\"email\":\"s@b.co\",\"" + "x".repeat(5000) + "\":1}]", "1006");
        expected.put("\"action\":\"updateOnly\",\"input\":[{\"id\":99999999999999999999}]", "1001");
        expected.put("\"action\":\"updateOnly\",\"input\":[{\"id\":\"abc\"}]", "1001");
        expected.put("\"action\":\"updateOnly\",\"input\":[{\"id\":-5}]", "1004");
        expected.put("\"partitionName\":\"\\u0007\\u202e\",\"input\":[{\"email\":\"p@b.co\"}]", "1008");
        expected.put("\"partitionName\":\"" + "x".repeat(5000) + "\",\"input\":[{\"email\":\"p@b.co\"}]", "1008");
        for (Map.Entry<String, String> c : expected.entrySet()) {
            Api.Response r = api.post("/rest/v1/leads.json", token, "{" + c.getKey() + "}");
            assertThat(r.success()).as("%s -> %s", c.getKey(), r.text()).isTrue();
            assertThat(r.result().get(0).path("status").asString()).isEqualTo("skipped");
            assertThat(r.result().get(0).path("reasons").get(0).path("code").asString()).as("%s -> %s", c.getKey(), r.text())
                    .isEqualTo(c.getValue());
            assertSane(null, r);
        }
        Api.Response odd = api.post("/rest/v1/leads.json", token, Map.of("bogus", true, "input",
                List.of(Map.of("email", "odd@example.com", "firstName", "\u202e\ud83d\ude00\u0007 \u4e2d", "city", "x".repeat(255)))));
        assertThat(odd.result().get(0).path("status").asString()).as(odd.text()).isIn("created", "updated");
    }

    @Test
    void userManagementBodiesWhenShapeOrValuesWrongThen4xxWithCode() {
        String role = "[{\"accessRoleId\":" + roleId + ",\"workspaceId\":1}]";
        String invite = "\"firstName\":\"A\",\"lastName\":\"B\",\"userRoleWorkspaces\":" + role;
        List<String[]> cases = List.of(
                new String[] {"/invite.json", "[1]", "400", "609"},
                new String[] {"/invite.json", "\"x\"", "400", "609"},
                new String[] {"/invite.json", "{}", "400", "701"},
                new String[] {"/invite.json", "{\"emailAddress\":5," + invite + "}", "400", "400"},
                new String[] {"/invite.json", "{\"emailAddress\":\"inv@example.com\",\"firstName\":\"A\",\"lastName\":\"B\","
                        + "\"userRoleWorkspaces\":\"x\"}", "400", "701"},
                new String[] {"/invite.json", "{\"emailAddress\":\"inv@example.com\",\"firstName\":\"A\",\"lastName\":\"B\","
                        + "\"userRoleWorkspaces\":[\"x\"]}", "400", "400"},
                new String[] {"/invite.json", "{\"emailAddress\":\"inv@example.com\",\"firstName\":\"A\",\"lastName\":\"B\","
                        + "\"userRoleWorkspaces\":[{\"accessRoleId\":99999999999999999999,\"workspaceId\":1}]}", "400", "400"},
                new String[] {"/invite.json", "{\"emailAddress\":\"inv@example.com\",\"expiresAt\":\"+999999999-12-31T23:59:59Z\","
                        + invite + "}", "400", "400"},
                new String[] {"/" + target + "/update.json", "[1]", "400", "609"},
                new String[] {"/" + target + "/update.json", "{\"bogus\":1}", "400", "400"},
                new String[] {"/" + target + "/update.json", "{\"firstName\":5}", "400", "400"},
                new String[] {"/" + target + "/update.json", "{\"apiOnly\":\"yes\"}", "400", "400"},
                new String[] {"/" + target + "/update.json", "{\"expiresAt\":\"garbage\"}", "400", "400"},
                new String[] {"/" + target + "/update.json", "{\"expiresAt\":\"+999999999-12-31T23:59:59Z\"}", "400", "400"},
                new String[] {"/" + target + "/update.json", "{\"expiresAt\":\"-999999999-01-01T00:00:00Z\"}", "400", "400"},
                new String[] {"/" + target + "/update.json", "{\"expiresAt\":5}", "400", "400"},
                new String[] {"/" + target + "/roles/create.json", "\"x\"", "400", "609"},
                new String[] {"/" + target + "/roles/create.json", "{\"input\":\"x\"}", "400", "609"},
                new String[] {"/" + target + "/roles/create.json", "[\"x\"]", "400", "400"},
                new String[] {"/" + target + "/roles/create.json", "[]", "400", "701"},
                new String[] {"/" + target + "/roles/create.json", "[{\"accessRoleId\":99999999999999999999,\"workspaceId\":1}]", "400", "400"},
                new String[] {"/" + target + "/roles/create.json", "[{\"accessRoleId\":1.5,\"workspaceId\":1}]", "400", "400"},
                new String[] {"/" + target + "/roles/delete.json", "[{\"accessRoleId\":-1,\"workspaceId\":-1}]", "400", "400"});
        for (String[] c : cases) {
            Api.Response r = api.post(UM + c[0], token, c[1]);
            assertThat(r.status()).as("%s %s -> %s", c[0], c[1], r.text()).isEqualTo(Integer.parseInt(c[2]));
            assertThat(r.errorCode()).as("%s %s -> %s", c[0], c[1], r.text()).isEqualTo(c[3]);
            assertSane(ANY_USER_MANAGEMENT, r);
        }
        assertThat(api.get(UM + "/" + target + "/user.json", token).json().path("apiOnly").asBoolean()).isTrue();
        for (String q : List.of("pageOffset=-1", "pageSize=0", "pageSize=99999999999", "pageSize=1&pageSize=2", "pageOffset=%00")) {
            Api.Response r = api.get(UM + "/allusers.json?" + q, token);
            assertThat(r.status()).as(q).isEqualTo(400);
            assertThat(r.errorCode()).as(q).isEqualTo("1003");
        }
    }

    @Test
    void headWhenAskedThenNoBodySoTheNextResponseOnTheConnectionReadsWhole() throws Exception {
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("/ping", 200);
        expected.put("/rest/v1/leads.json?filterType=id&filterValues=1", 405);
        expected.put("/identity/oauth/token", 405);
        expected.put("/admin/api/v1/roles", 405);
        expected.put("/admin/assets/console.css", 405);
        expected.put("/nope", 405);
        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            String exchanged;
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.server().port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("HEAD " + e.getKey() + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                        + "\r\n\r\nGET /ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                exchanged = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            }
            assertThat(exchanged).as(e.getKey()).startsWith("HTTP/1.1 " + e.getValue() + " ");
            int headEnd = exchanged.indexOf("\r\n\r\n");
            assertThat(exchanged.substring(headEnd + 4)).as("%s: the HEAD answer has no body, the GET's follows it:%n%s", e.getKey(), exchanged)
                    .startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\npong");
            if (e.getValue() == 405) {
                assertThat(exchanged.substring(0, headEnd)).containsIgnoringCase("Allow: GET, POST");
            }
        }
    }

    @Test
    void requestWhenHttpCannotReadItThen400InTheShapeOfItsFaceSayingWhatToFix() {
        Map<String, String> shapes = new LinkedHashMap<>();
        shapes.put("/rest/v1/leads.json?filterType=email&filterValues=%ZZ", "errors.0.code=400");
        shapes.put("/rest/v1/lead/%ZZ.json", "errors.0.code=400");
        shapes.put("/bulk/v1/leads/export.json?status=%G1", "errors.0.code=400");
        shapes.put(UM + "/allusers.json?x=%Z", "errors.0.code=400");
        shapes.put("/identity/oauth/token?client_id=%ZZ", "error=invalid_request");
        shapes.put("/admin/api/v1/roles?x=%G1", "error.status=400");
        for (Map.Entry<String, String> e : shapes.entrySet()) {
            RawHttp.Response r = raw("GET " + e.getKey() + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                    + "\r\nConnection: close\r\n\r\n");
            assertThat(r.status()).as("%s -> %s", e.getKey(), r).isEqualTo(400);
            assertThat(r.head()).as(e.getKey()).containsIgnoringCase("Content-Type: application/json");
            JsonNode body = r.json();
            String[] path = e.getValue().split("=")[0].split("\\.");
            JsonNode at = body;
            for (String step : path) {
                at = step.matches("\\d+") ? at.path(Integer.parseInt(step)) : at.path(step);
            }
            assertThat(at.asString()).as("%s -> %s", e.getKey(), r).isEqualTo(e.getValue().split("=")[1]);
            assertThat(r.text()).as(e.getKey()).contains("send '%25' for '%'").doesNotContain(token).doesNotContain("Exception");
        }
        RawHttp.Response gzip = raw("POST /rest/v1/leads.json HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        assertThat(gzip.status()).as("%s", gzip).isEqualTo(400);
        assertThat(gzip.text()).contains("Content-Encoding");
    }

    @Test
    void authorizationWhenSentTwiceThenRefusedWhicheverComesFirst() {
        for (String[] pair : List.of(new String[] {"Bearer " + token, "Bearer bogus"}, new String[] {"Bearer bogus", "Bearer " + token},
                new String[] {"Bearer " + token, "Bearer " + token})) {
            RawHttp.Response rest = raw("GET /rest/v1/leads/describe.json HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + pair[0]
                    + "\r\nAuthorization: " + pair[1] + "\r\nConnection: close\r\n\r\n");
            assertThat(rest.json().path("errors").path(0).path("code").asString()).as("%s", rest).isEqualTo("601");
            RawHttp.Response adminApi = raw("GET /admin/api/v1/instance HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + TestServer.ADMIN_TOKEN + "\r\nAuthorization: " + pair[1] + "\r\nConnection: close\r\n\r\n");
            assertThat(adminApi.status()).as("%s", adminApi).isEqualTo(401);
        }
        String basic = java.util.Base64.getEncoder().encodeToString("a:b".getBytes(StandardCharsets.UTF_8));
        RawHttp.Response identity = raw("POST /identity/oauth/token?grant_type=client_credentials HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Basic " + basic + "\r\nAuthorization: Basic " + basic + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertThat(identity.status()).as("%s", identity).isEqualTo(400);
        assertThat(identity.json().path("error").asString()).isEqualTo("invalid_request");
        assertThat(identity.json().path("error_description").asString()).isEqualTo("Send one Authorization header, not several");
    }

    @Test
    void idRecordsWhenOneHasNoNumericIdThen1003NamingIt() {
        for (String path : List.of("/rest/v1/leads/delete.json", "/rest/v1/lists/987654/leads.json")) {
            Api.Response r = api.post(path, token, "{\"input\":[{\"id\":1},{\"id\":\"x\"}]}");
            assertThat(r.errorCode()).as("%s: %s", path, r.text()).isEqualTo("1003");
            assertThat(r.json().path("errors").path(0).path("message").asString()).isEqualTo("input[1] needs a numeric 'id', not \"x\"");
        }
    }

    @Test
    void bulkExportListWhenAStatusIsUnknownThen1003() {
        for (String kind : List.of("leads", "activities")) {
            Api.Response r = api.get("/bulk/v1/" + kind + "/export.json?status=bogus", token);
            assertThat(r.errorCode()).as(r.text()).isEqualTo("1003");
            assertThat(r.json().path("errors").path(0).path("message").asString()).contains("Invalid status 'bogus'");
            assertThat(api.get("/bulk/v1/" + kind + "/export.json?status=completed,Failed", token).success()).isTrue();
        }
    }

    @Test
    void updateFieldWhenTheBodyNamesNothingItTakesThen1003AndNoDraft() {
        String type = "upd" + Long.toHexString(System.nanoTime());
        assertThat(api.post("/rest/v1/customobjects/schema.json", token, Map.of("apiName", type, "displayName", "Upd " + type)).success()).isTrue();
        assertThat(api.post("/rest/v1/customobjects/schema/" + type + "/addField.json", token, Map.of("input", List.of(
                Map.of("name", "vin", "displayName", "VIN", "dataType", "string", "isDedupeField", true),
                Map.of("name", "miles", "displayName", "Miles", "dataType", "integer")))).success()).isTrue();
        Api.Response approved = api.post("/rest/v1/customobjects/schema/" + type + "/approve.json", token, Map.of());
        assertThat(approved.success()).as(approved.text()).isTrue();
        for (String body : List.of("{\"input\":{\"displayName\":\"Mileage\"}}", "{}", "{\"bogusKey\":5}")) {
            Api.Response r = api.post("/rest/v1/customobjects/schema/" + type + "/miles/updateField.json", token, body);
            assertThat(r.errorCode()).as("%s: %s", body, r.text()).isEqualTo("1003");
        }
        assertThat(api.get("/rest/v1/customobjects/schema/" + type + "/describe.json", token).result().get(0).path("state").asString())
                .isEqualTo("approved");
        assertThat(api.post("/rest/v1/customobjects/schema/" + type + "/miles/updateField.json", token, Map.of("displayName", "Mileage"))
                .success()).isTrue();
    }

    @Test
    void formWhenAPercentIsNotAnEscapeThenRefusedAsTheSameInAQueryIs() {
        for (String form : List.of("filterType=email&filterValues=a%ZZ", "filterType=email&filterValues=a%F", "filterValues=x&filterType=%")) {
            Api.Response r = api.send(api.request("/rest/v1/leads.json?_method=GET", token).header("Content-Type",
                    "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)));
            assertThat(r.status()).as("%s -> %s", form, r.text()).isEqualTo(400);
            assertThat(r.errorCode()).as(form).isEqualTo("400");
        }
        Api.Response identity = api.send(api.request("/identity/oauth/token", null).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=%ZZ&client_secret=x")));
        assertThat(identity.status()).as(identity.text()).isEqualTo(400);
        assertThat(identity.json().path("error").asString()).isEqualTo("invalid_request");
        assertThat(identity.json().path("error_description").asString()).contains("send '%25' for '%'");
        Api.Response good = api.send(api.request("/rest/v1/leads.json?_method=GET", token).header("Content-Type",
                "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("filterType=email&filterValues=%F0%9F%98%80+x")));
        assertThat(good.success()).as(good.text()).isTrue();
    }

    @Test
    void bodyWhenChunkedFramingIsBrokenThenHttp400NotSystemError() {
        for (String path : List.of("/rest/v1/leads.json", UM + "/invite.json", "/identity/oauth/token")) {
            RawHttp.Response response = raw("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n");
            assertThat(response.status()).as("%s -> %s", path, response).isEqualTo(400);
            assertThat(response.text()).doesNotContain("611", "Exception").contains("chunked framing");
        }
    }

    // ----- identity ------------------------------------------------------------------------

    @Test
    void identityWhenGarbageThenOAuthErrorAndNever5xx() {
        String path = "/identity/oauth/token";
        List<Api.Response> answers = new ArrayList<>();
        for (String q : List.of("", "?grant_type=", "?grant_type=%00%01", "?grant_type=" + "x".repeat(7000),
                "?grant_type=client_credentials&grant_type=client_credentials", "?%25%25%25=&&grant_type=client_credentials",
                "?grant_type=client_credentials&client_id=%00&client_secret=%00",
                "?grant_type=client_credentials&client_id=%E2%80%AE%F0%9F%98%80&client_secret=x",
                "?grant_type=client_credentials&client_id=" + "x".repeat(7000) + "&client_secret=y",
                "?grant_type=client_credentials&client_id=&client_secret=", "?grant_type=password&username=a&password=b")) {
            answers.add(api.get(path + q, null));
            answers.add(api.method("POST", path + q, null, null, null));
        }
        for (String h : List.of("Basic", "Basic ", "Basic !!!", "Basic " + b64("no-colon"), "Basic " + b64("%zz:%%"),
                "Basic " + b64(":"), "Basic " + b64("\u0000:\u0000"), "Bearer x", "Digest a=b", "basic " + b64("a:b"))) {
            answers.add(api.send(api.request(path + "?grant_type=client_credentials", null).header("Authorization", h)));
        }
        for (String[] form : List.of(new String[] {"application/x-www-form-urlencoded", "%%%&&=&grant_type"},
                new String[] {"application/x-www-form-urlencoded", "grant_type=client_credentials&x=" + "y".repeat(20_000)},
                new String[] {"application/json", "{\"grant_type\":\"client_credentials\"}"},
                new String[] {";;;", "grant_type=client_credentials"}, new String[] {"garbage", "grant_type=client_credentials"},
                new String[] {"text/plain", "\u0000\u0001"})) {
            answers.add(api.method("POST", path, null, form[0], form[1]));
        }
        for (String method : List.of("PUT", "DELETE", "PATCH", "OPTIONS", "FOO")) {
            answers.add(api.method(method, path, null, null, null));
        }
        answers.add(api.get(path + "?grant_type=client_credentials&client_id=x&client_secret=y&_method=DELETE", null));
        for (Api.Response r : answers) {
            assertThat(r.status()).as(r.text()).isIn(400, 401);
            assertThat(r.json().path("error").asString()).as(r.text())
                    .isIn("invalid_request", "unsupported_grant_type", "unauthorized", "invalid_client");
            assertThat(r.json().path("error_description").isString()).isTrue();
            assertThat(Envelope.LEAK.matcher(r.text()).find()).as(r.text()).isFalse();
        }
        Api.Response emptyGrant = api.get(path + "?grant_type=&client_id=a&client_secret=b", null);
        assertThat(emptyGrant.json().path("error").asString()).as("RFC 6749 3.1: an empty parameter counts as absent")
                .isEqualTo("invalid_request");
    }

    // ----- helpers -------------------------------------------------------------------------

    private Api.Response query(String query) {
        Api.Response r = api.get("/rest/v1/leads.json?" + query, token);
        assertSane(null, r);
        return r;
    }

    private Api.Response send(Endpoint e, String method, String path, String contentType, byte[] body) {
        HttpRequest.Builder b = api.request(path, token).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        Api.Response r = api.send(b);
        if (!method.equals("HEAD")) {
            assertSane(e, r);
        }
        return r;
    }

    /** A body of the right shape for a JSON endpoint, one that changes nothing if it is ever executed. */
    private String validBody(Endpoint e) {
        return switch (e.key()) {
            case SYNC -> "{\"action\":\"updateOnly\",\"input\":[{\"email\":\"nobody-at-all@example.com\"}]}";
            case DELETE -> "{\"input\":[{\"id\":987654321}]}";
            case MOVE -> "{\"input\":[{\"id\":987654321,\"partitionName\":\"Default\"}]}";
            case INVITE -> "{\"emailAddress\":\"ct@example.com\",\"firstName\":\"C\",\"lastName\":\"T\"}";
            case UPDATE -> "{}";
            case ADD_ROLES, REMOVE_ROLES -> "[{\"accessRoleId\":987654321,\"workspaceId\":1}]";
            default -> "{}";
        };
    }

    private Set<String> methodsOf(String template) {
        Set<String> out = new TreeSet<>();
        for (Endpoint e : endpoints) {
            if (e.template().equals(template)) {
                out.add(e.method());
            }
        }
        return out;
    }

    /** An answer as a comparable outcome: status, and code or success. */
    private static String outcome(Api.Response r) {
        return r.status() + ":" + (r.errorCode() != null ? r.errorCode() : "ok");
    }

    private static JsonNode withoutRequestId(JsonNode json) {
        JsonNode copy = json.deepCopy();
        if (copy.isObject()) {
            ((tools.jackson.databind.node.ObjectNode) copy).remove("requestId");
        }
        return copy;
    }

    /** The answer carries {@code code} the way its surface does: an envelope, or a User Management status. */
    private void expect(Endpoint e, Api.Response r, String code) {
        assertThat(r.errorCode()).as("%s -> %s %s", e, r.status(), abbreviated(r.text())).isEqualTo(code);
        int status = code.equals("413") || code.equals("414") ? Integer.parseInt(code) : 200;
        if (e != null && e.userManagement()) {
            status = switch (code) {
                case "600", "601", "602" -> 401;
                case "603" -> 403;
                case "610" -> 404;
                case "605" -> 405;
                case "413", "414" -> Integer.parseInt(code);
                default -> 400;
            };
        }
        assertThat(r.status()).as("%s -> %s", e, abbreviated(r.text())).isEqualTo(status);
    }

    /** Never a 5xx, never 611, never a leak; and where the server answered, its surface's shape. */
    private static void assertSane(Endpoint e, Api.Response r) {
        assertThat(r.status()).as("%s -> %s", e, abbreviated(r.text())).isLessThan(500);
        assertThat(r.errorCode()).as("%s -> %s", e, abbreviated(r.text())).isNotEqualTo("611");
        assertThat(Envelope.LEAK.matcher(r.text()).find()).as("%s leaks internals: %s", e, abbreviated(r.text())).isFalse();
        JsonNode j = r.json();
        if (e == null || !e.userManagement()) {
            assertThat(j.path("requestId").asString()).as("%s -> %s", e, abbreviated(r.text())).matches("[0-9a-f]+#[0-9a-f]+");
            assertThat(j.path("success").isBoolean()).isTrue();
            if (!j.path("success").asBoolean()) {
                assertThat(j.path("errors").isArray() && !j.path("errors").isEmpty()).isTrue();
                for (JsonNode err : j.path("errors")) {
                    assertThat(err.path("code").isString()).isTrue();
                    assertThat(err.path("message").isString()).isTrue();
                }
            }
        } else if (r.status() >= 400) {
            assertThat(j.path("errors").get(0).path("code").isInt()).as("%s -> %s", e, abbreviated(r.text())).isTrue();
            assertThat(j.path("errors").get(0).path("message").isString()).isTrue();
        }
    }

    private static String abbreviated(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    private static String b64(String s) {
        return java.util.Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private RawHttp.Response raw(String request) {
        return RawHttp.exchange(server.server().port(), request.getBytes(StandardCharsets.ISO_8859_1));
    }
}
