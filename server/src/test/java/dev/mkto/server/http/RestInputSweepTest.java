package dev.mkto.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.mkto.server.access.EndpointPolicy;
import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.Envelope;
import dev.mkto.server.testing.RawHttp;
import dev.mkto.server.testing.SharedSpec;
import dev.mkto.server.testing.SwaggerSchema;
import dev.mkto.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * One deterministic sweep of hostile input over every route of {@link EndpointPolicy}, with a token
 * that holds every permission and path variables that name real resources (so handlers get past
 * "not found" and read what they were sent). Per route it sends:
 * <ul>
 *   <li>bodies: malformed JSON, JSON of the wrong shape (scalars, arrays for objects, {@code input}
 *       not an array, nested nulls), each body property the route's swagger names (and a common
 *       set) given each hostile value (null, wrong types, huge numbers, 1e400, -0, "NaN", long and
 *       control-character strings), invalid UTF-8, an empty body, form bodies, wrong and missing
 *       Content-Types;</li>
 *   <li>queries: each query parameter the route's swagger names (and a common set) with each
 *       hostile value, repeated with different values, very long, badly percent-encoded;</li>
 *   <li>path variables that are not numbers, negative, zero, beyond a long, encoded controls;</li>
 *   <li>{@code POST ?_method=GET} with JSON, form, text and invalid-UTF-8 bodies.</li>
 * </ul>
 * Every answer must be below HTTP 500, the surface's envelope (Lead Database: {@code success} with
 * an error code of the documented set, never 611; User Management: its status with a coded
 * {@code errors} item), hold no Java class name or stack frame, echo no token or secret, and quote
 * input only cut to at most 100 characters without control characters. Failures are collected
 * over the whole sweep and reported together, one example each.
 *
 * <p>{@link BadInputTest} holds the endpoint-specific expectations (414, 413, 605, 612, 609 per
 * body shape, dot segments); this sweep is the breadth behind them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestInputSweepTest {

    private static final String UM = "/userservice/management/v1/users";

    /** Every code the Lead Database surface documents (rest-api.md), 611 excepted: bad input is never a system error. */
    private static final Set<String> RESPONSE_CODES = codes();
    /** Record-level reasons (status skipped). */
    private static final Pattern RECORD_CODE = Pattern.compile("10[0-7][0-9]");
    /** User Management errors carry the Marketo code or the HTTP status (AdminException). */
    private static final Set<Integer> USER_MANAGEMENT_STATUSES = Set.of(400, 401, 403, 404, 405, 409, 413, 414, 429);

    private static final String LONG = "L".repeat(300);
    private static final String CONTROL = "\\u0000\\u0007\\u001b[31m\\u007f\\u0085\\u202e";

    /** JSON values that do not fit whatever a property expects. */
    private static final List<String> VALUES = List.of("null", "0", "-0", "-1", "1.5", "1e400", "-1e400", "99999999999999999999",
            "-9223372036854775809", "\"NaN\"", "\"Infinity\"", "\"\"", "\"x\"", "\"-1\"", "\"99999999999999999999\"", "true", "[]", "{}",
            "[null]", "{\"a\":null}", "[[[]]]", "\"" + LONG + CONTROL + "\"", "\"2024-02-30T25:61:00Z\"", "\"+999999999-12-31\"");

    /** Body properties tried on every JSON route besides those its swagger declares. */
    private static final List<String> COMMON_BODY_KEYS = List.of("input", "action", "lookupField", "partitionName", "dedupeBy",
            "deleteBy", "fields", "filter", "format", "columnHeaderNames", "runAt", "tokens", "cloneToProgramName", "apiName", "name",
            "displayName", "pluralName", "description", "showInLeadDetail", "relatedTo", "primaryAttribute", "attributes",
            "triggerName", "filterName", "emailAddress", "firstName", "lastName", "userRoleWorkspaces", "expiresAt", "accessRoleId",
            "workspaceId", "asyncProcessing");
    /** Record properties tried inside {@code input}. */
    private static final List<String> COMMON_RECORD_KEYS = List.of("id", "email", "leadId", "marketoGUID", "name", "partitionName",
            "activityDate", "activityTypeId", "primaryAttributeValue", "attributes", "externalCompanyId", "externalOpportunityId",
            "externalSalesPersonId", "dataType", "displayName", "apiName", "isDedupeField", "relatedTo", "role", "leads");
    /** Query parameters tried on every route besides those its swagger declares. */
    private static final List<String> COMMON_PARAMS = List.of("filterType", "filterValues", "fields", "batchSize", "nextPageToken",
            "sinceDatetime", "activityTypeIds", "listId", "leadIds", "id", "name", "names", "programName", "workspaceName", "state",
            "pageSize", "pageOffset", "offset", "maxReturn", "status", "earliestUpdatedAt", "latestUpdatedAt");
    /** Query values, already percent-encoded as sent. */
    private static final List<String> QUERY_VALUES = List.of("", "-1", "0", "-0", "1.5", "1e400", "NaN", "99999999999999999999",
            "9223372036854775808", "%00%01%1B%7F", "%E2%80%AE%F0%9F%98%80", "%FF%FE%C0%AF%ED%A0%80", "%zz%", "%2C%2C%2C", "null",
            "%5B%5D", "%7B%7D", "2024-02-30T25%3A61%3A00Z", "x".repeat(6000));
    /** Path variable values, percent-encoded as sent. */
    private static final List<String> PATH_VALUES = List.of("abc", "-1", "0", "-0", "00", "1.5", "1e3", "0x1F", "+1", "%2B1",
            "99999999999999999999", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "NaN", "%00", "%1B%5B31m",
            "%FF", "%E2%80%AE", "%20", "%25", "x".repeat(3000), "null");
    private static final List<String> CONTENT_TYPES = List.of("text/plain", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x", "application/json; charset=ISO-8859-1", "application/json; charset=nonsense",
            "application/json; charset=UTF-16", "application/json\u0000", "*/*", "");

    private TestServer server;
    private Api api;
    private String token;
    private AdminClient.Service service;
    private final Map<String, String> pathValues = new LinkedHashMap<>();
    private List<Route> routes;
    private int requests;
    private int refusedAsHttp;
    private final Map<String, String> failures = new LinkedHashMap<>();
    private JsonNode mapiSpec;
    private JsonNode userSpec;

    record Route(String method, String template, String path) {
        boolean userManagement() {
            return template.startsWith("/userservice/");
        }

        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.H2);
        api = server.api();
        AdminClient admin = server.admin();
        admin.patch("/instance", Map.of("limits", Map.of("rateCalls", 1_000_000, "concurrent", 1000, "dailyQuota", 1_000_000_000)));
        String role = AdminClient.unique("all");
        admin.role(role, "Access API");
        String caller = AdminClient.unique("caller") + "@example.com";
        admin.apiUser(caller, role);
        service = admin.service(AdminClient.unique("svc"), caller);
        token = admin.token(service);
        String target = AdminClient.unique("target") + "@example.com";
        admin.apiUser(target, role);

        long lead = api.post("/rest/v1/leads.json", token, Map.of("input", List.of(Map.of("email", "sweep@example.com"))))
                .result().get(0).path("id").asLong();
        long list = admin.create("/lists", Map.of("name", "Sweep")).path("id").asLong();
        long campaign = admin.create("/campaigns", Map.of("name", "Sweep", "type", "trigger", "requestable", true)).path("id").asLong();
        api.post("/rest/v1/customobjects/schema.json", token, Map.of("apiName", "sweepcar", "displayName", "Sweep Car"));
        api.post("/rest/v1/customobjects/schema/sweepcar/addField.json", token, Map.of("input", List.of(
                Map.of("name", "vin", "displayName", "VIN", "dataType", "string", "isDedupeField", true))));
        assertThat(api.post("/rest/v1/customobjects/schema/sweepcar/approve.json", token, Map.of()).success()).isTrue();
        Api.Response type = api.post("/rest/v1/activities/external/type.json", token, Map.of("apiName", "sweepact", "name", "Sweep",
                "triggerName", "Sweeps", "filterName", "Swept", "primaryAttribute", Map.of("apiName", "what", "name", "What")));
        assertThat(type.success()).as(type.text()).isTrue();
        Api.Response nal = api.post("/rest/v1/namedAccountLists.json", token, Map.of("input", List.of(Map.of("name", "Sweep"))));
        String nalGuid = nal.result().get(0).path("marketoGUID").asString();
        String leadExport = api.post("/bulk/v1/leads/export/create.json", token, "{\"fields\":[\"email\"],\"filter\":{\"createdAt\":"
                + "{\"startAt\":\"2020-01-01T00:00:00Z\",\"endAt\":\"2020-01-15T00:00:00Z\"}}}").result().get(0).path("exportId").asString();
        String activityExport = api.post("/bulk/v1/activities/export/create.json", token, "{\"filter\":{\"createdAt\":"
                + "{\"startAt\":\"2020-01-01T00:00:00Z\",\"endAt\":\"2020-01-15T00:00:00Z\"}}}").result().get(0).path("exportId").asString();

        pathValues.put("schema/{apiName}/{fieldApiName}", "vin");
        pathValues.put("/rest/v1/lead/{id}", Long.toString(lead));
        pathValues.put("/rest/v1/lists/{id}", Long.toString(list));
        pathValues.put("{listId}", Long.toString(list));
        pathValues.put("{leadId}", Long.toString(lead));
        pathValues.put("/rest/v1/campaigns/{id}", Long.toString(campaign));
        pathValues.put("/rest/v1/namedAccountList/{id}", nalGuid);
        pathValues.put("/bulk/v1/leads/export/{exportId}", leadExport);
        pathValues.put("/bulk/v1/activities/export/{exportId}", activityExport);
        pathValues.put("{customObjectName}", "sweepcar");
        pathValues.put("/rest/v1/customobjects/schema/{apiName}", "sweepcar");
        pathValues.put("/rest/v1/activities/external/type/{apiName}", "sweepact");
        pathValues.put("{fieldApiName}", "company");
        pathValues.put("{userid}", target);

        routes = new ArrayList<>();
        for (String e : server.server().endpoints()) {
            String[] parts = e.split(" ", 2);
            routes.add(new Route(parts[0], parts[1], concrete(parts[1])));
        }
        try {
            mapiSpec = SharedSpec.json("swagger-mapi.json");
            userSpec = SharedSpec.json("swagger-user.json");
        } catch (RuntimeException absent) {
            // without ../shared/spec the sweep uses its common keys only
        }
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** The route with real resources in its variables; one that would destroy a resource by its path alone names none. */
    private String concrete(String template) {
        boolean destroys = template.endsWith("/delete.json") && !template.contains("/attributes/") && !template.contains("/roles/")
                && (template.contains("{apiName}") || template.contains("{userid}"))
                || template.endsWith("/discardDraft.json") || template.endsWith("/cancel.json");
        String out = template;
        if (destroys) {
            return out.replace("{userid}", "nobody-sweep@example.com").replaceAll("\\{[A-Za-z]+\\}", "sweepgone");
        }
        for (Map.Entry<String, String> v : pathValues.entrySet()) {
            String key = v.getKey();
            if (key.startsWith("{")) {
                out = out.replace(key, v.getValue());
            } else if (out.startsWith(key) || out.contains(key)) {
                String var = key.substring(key.lastIndexOf('{'));
                int at = out.indexOf(key) + key.length() - var.length();
                out = out.substring(0, at) + v.getValue() + out.substring(at + var.length());
            }
        }
        return out;
    }

    @Test
    void routesWhenListedThenTheSweepCoversEveryEndpointOfThePolicy() {
        Set<String> policy = new TreeSet<>();
        EndpointPolicy.RULES.forEach(r -> policy.add(r.method() + " " + r.template()));
        Set<String> swept = new TreeSet<>();
        routes.forEach(r -> swept.add(r.toString()));
        assertThat(swept).isEqualTo(policy);
        for (Route r : routes) {
            assertThat(r.path()).as("%s has every variable filled", r).doesNotContain("{");
        }
    }

    @Test
    void everyRouteWhenSentHostileInputThenAMarketoCodeAndNothingInternal() {
        long started = System.nanoTime();
        for (Route r : routes) {
            bodies(r);
            queries(r);
            pathVariables(r);
            overrides(r);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("RestInputSweepTest: %d routes, %d requests (%d refused before any route as not HTTP), %d ms%n", routes.size(),
                requests, refusedAsHttp, millis);
        // nothing hostile destroyed what the path variables named (a number coerced into a real id, say)
        assertThat(api.get("/rest/v1/lead/" + pathValues.get("{leadId}") + ".json", token).result().path(0).path("email").asString())
                .isEqualTo("sweep@example.com");
        assertThat(api.get("/rest/v1/lists/" + pathValues.get("{listId}") + ".json", token).result()).hasSize(1);
        assertThat(api.get("/rest/v1/customobjects/schema/sweepcar/describe.json", token).result()).hasSize(1);
        assertThat(api.get("/rest/v1/activities/external/type/sweepact/describe.json", token).result())
                .hasSize(1);
        assertThat(api.get("/rest/v1/namedAccountLists.json?filterType=marketoGUID&filterValues="
                + pathValues.get("/rest/v1/namedAccountList/{id}"), token).result()).hasSize(1);
        assertThat(server.admin().get("/users").text()).contains(pathValues.get("{userid}"));
        if (!failures.isEmpty()) {
            fail("%d kinds of defect:%n%s", failures.size(), String.join("\n", failures.values()));
        }
    }

    // ----- batteries -----------------------------------------------------------------------------

    private void bodies(Route r) {
        String method = r.method();
        List<String> shapes = new ArrayList<>(List.of("", "{", "}", "[1,", "NaN", "-0", "1e400", "{\"a\":NaN}", "{\"a\":-}", "{\"a\":01}",
                "{\"a\":.5}", "{\"a\":1}garbage", "{\"input\":[{\"a\":1},]}", "/* c */ {}", "{\"a\":1,\"a\":2}", "null", "0", "\"\"",
                "true", "[]", "[{}]", "[null]", "[[]]", "{}", "{\"input\":{}}", "{\"input\":\"x\"}", "{\"input\":1}", "{\"input\":true}",
                "{\"input\":[null]}", "{\"input\":[[]]}", "{\"input\":[1]}", "{\"input\":[\"x\"]}", "{\"input\":[{}]}",
                "{\"input\":[{\"a\":{\"b\":{\"c\":null}}}]}", "{\"input\":[{\"email\":null,\"id\":null,\"name\":null}]}",
                "{\"input\":[{\"\":1}]}", "{\"input\":" + "[".repeat(400) + "]".repeat(400) + "}",
                "{\"input\":[" + "{},".repeat(300) + "{}]}"));
        for (String body : shapes) {
            send(r, method, r.path(), "application/json", bytes(body), "body " + body);
        }
        for (String key : bodyKeys(r)) {
            for (String v : r.method().equals("GET") ? List.of("null", "1e400") : VALUES) {
                send(r, method, r.path(), "application/json", bytes("{\"" + key + "\":" + v + "}"), "body {" + key + ": V}", v);
            }
        }
        for (String key : recordKeys(r)) {
            for (String v : r.method().equals("GET") ? List.of("null") : VALUES) {
                send(r, method, r.path(), "application/json", bytes("{\"input\":[{\"" + key + "\":" + v + "}]}"),
                        "body {input:[{" + key + ": V}]}", v);
            }
        }
        for (String v : VALUES) {
            send(r, method, r.path(), "application/json", bytes("[{\"accessRoleId\":" + v + ",\"workspaceId\":" + v + "}]"),
                    "body [{accessRoleId: V, workspaceId: V}]", v);
        }
        for (byte[] utf8 : invalidUtf8()) {
            send(r, method, r.path(), "application/json", utf8, "body invalid UTF-8");
            send(r, method, r.path(), "application/x-www-form-urlencoded", utf8, "form body invalid UTF-8");
        }
        for (String type : CONTENT_TYPES) {
            send(r, method, r.path(), type, bytes("{\"input\":[{\"email\":\"a@b.co\"}]}"), "Content-Type " + type);
        }
        send(r, method, r.path(), null, bytes("{\"input\":[]}"), "no Content-Type");
        send(r, method, r.path(), "application/x-www-form-urlencoded", bytes("input=1&input=2&fields=%zz&=&&a"), "form body");
        send(r, method, r.path(), "application/json", new byte[0], "empty JSON body");
    }

    private void queries(Route r) {
        for (String p : queryParams(r)) {
            for (String v : QUERY_VALUES) {
                send(r, r.method(), r.path() + "?" + p + "=" + v, null, null, "query " + p + "=V", v);
            }
            send(r, r.method(), r.path() + "?" + p + "=1&" + p + "=abc&" + p + "=&" + p, null, null, "query " + p + " repeated");
        }
        StringBuilder all = new StringBuilder();
        for (String p : queryParams(r)) {
            all.append(all.isEmpty() ? "?" : "&").append(p).append("=%E2%80%AE-1");
        }
        send(r, r.method(), r.path() + all, null, null, "query every parameter at once");
        send(r, r.method(), r.path() + "?" + "&".repeat(3000), null, null, "query of ampersands");
        send(r, r.method(), r.path() + "?=%&%=&%%%%", null, null, "query garbage");
        send(r, r.method(), r.path() + "?access_token=" + token, null, null, "query access_token besides the header");
    }

    private void pathVariables(Route r) {
        Matcher m = Pattern.compile("\\{[A-Za-z]+\\}").matcher(r.template());
        while (m.find()) {
            for (String v : PATH_VALUES) {
                String path = r.template().substring(0, m.start()) + v + r.template().substring(m.end());
                path = concrete(path);
                byte[] body = r.method().equals("GET") ? null : bytes("{\"input\":[{\"id\":1}]}");
                send(r, r.method(), path, body == null ? null : "application/json", body, "path " + m.group() + "=V", v);
            }
        }
    }

    private void overrides(Route r) {
        String path = r.path() + "?_method=GET";
        send(r, "POST", path, "application/json", bytes("{\"input\":[{\"email\":\"a@b.co\"}],\"filterType\":\"email\"}"),
                "_method=GET with a JSON body");
        send(r, "POST", path, "application/json", bytes("{"), "_method=GET with malformed JSON");
        send(r, "POST", path, "text/plain", bytes("fields=email"), "_method=GET with text/plain");
        send(r, "POST", path, "application/x-www-form-urlencoded", bytes("_method=DELETE&fields=email&fields=id&batchSize=1e400"),
                "_method=GET with a form naming _method again");
        send(r, "POST", path, "application/x-www-form-urlencoded", invalidUtf8().getFirst(), "_method=GET with an invalid UTF-8 form");
        send(r, "POST", path, null, null, "_method=GET without a body");
        send(r, "POST", path + "&_method=POST", "application/x-www-form-urlencoded", bytes("a=b"), "_method=GET then POST");
        send(r, "POST", r.path() + "?_method=", "application/x-www-form-urlencoded", bytes("a=b"), "_method empty");
        send(r, "GET", path, null, null, "_method=GET on a GET");
    }

    // ----- what to send --------------------------------------------------------------------------

    /** The body properties the route's swagger declares, or the common ones where it declares none. */
    private List<String> bodyKeys(Route r) {
        Set<String> keys = new LinkedHashSet<>(List.of("input"));
        JsonNode schema = bodySchema(r);
        if (schema != null) {
            schema.path("properties").propertyNames().forEach(keys::add);
        }
        if (keys.size() < 2) {
            keys.addAll(COMMON_BODY_KEYS);
        }
        return List.copyOf(keys);
    }

    /** The properties of an {@code input} record the route's swagger declares, or the common ones. */
    private List<String> recordKeys(Route r) {
        Set<String> keys = new LinkedHashSet<>();
        JsonNode schema = bodySchema(r);
        if (schema != null) {
            JsonNode item = resolve(specOf(r), schema.path("properties").path("input").path("items"));
            item.path("properties").propertyNames().forEach(keys::add);
        }
        if (keys.isEmpty()) {
            keys.addAll(COMMON_RECORD_KEYS);
        }
        return List.copyOf(keys);
    }

    /** The query parameters the route's swagger declares and the paging ones, or the common ones. */
    private List<String> queryParams(Route r) {
        Set<String> params = new LinkedHashSet<>(List.of("fields", "batchSize", "nextPageToken", "filterType", "filterValues"));
        JsonNode op = operation(r);
        if (op == null) {
            params.addAll(COMMON_PARAMS);
        } else {
            for (JsonNode p : op.path("parameters")) {
                if (p.path("in").asString("").equals("query")) {
                    params.add(p.path("name").asString());
                }
            }
        }
        return List.copyOf(params);
    }

    private JsonNode bodySchema(Route r) {
        JsonNode op = operation(r);
        if (op == null) {
            return null;
        }
        for (JsonNode p : op.path("parameters")) {
            if (p.path("in").asString("").equals("body")) {
                return resolve(specOf(r), p.path("schema"));
            }
        }
        return null;
    }

    private JsonNode operation(Route r) {
        JsonNode spec = specOf(r);
        if (spec == null) {
            return null;
        }
        try {
            return SwaggerSchema.operation(spec, r.method(), r.template());
        } catch (IllegalArgumentException notInTheDocument) {
            return null;
        }
    }

    private JsonNode specOf(Route r) {
        return r.userManagement() ? userSpec : mapiSpec;
    }

    private static JsonNode resolve(JsonNode spec, JsonNode schema) {
        String ref = schema.path("$ref").asString("");
        return ref.startsWith("#/definitions/") ? spec.path("definitions").path(ref.substring(14)) : schema;
    }

    private static List<byte[]> invalidUtf8() {
        List<byte[]> out = new ArrayList<>();
        for (byte[] bad : List.of(new byte[] {(byte) 0xff, (byte) 0xfe}, new byte[] {(byte) 0xc0, (byte) 0xaf},
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[] {(byte) 0xe2, (byte) 0x82}, new byte[] {(byte) 0x80})) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(bytes("{\"input\":[{\"email\":\""));
            b.writeBytes(bad);
            b.writeBytes(bytes("\",\"name\":\"x\"}],\"name\":\""));
            b.writeBytes(bad);
            b.writeBytes(bytes("\"}"));
            out.add(b.toByteArray());
        }
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ----- sending and checking ------------------------------------------------------------------

    private void send(Route r, String method, String path, String contentType, byte[] body, String input) {
        send(r, method, path, contentType, body, input, "");
    }

    /**
     * Sends one request and checks its answer; {@code input} names the kind of input (one example
     * of a failing kind is kept), {@code value} what varied within it.
     */
    private void send(Route r, String method, String path, String contentType, byte[] body, String input, String value) {
        requests++;
        Api.Response answer;
        if (contentType != null && contentType.indexOf('\0') >= 0 || !uriAccepted(path)) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Authorization", "Bearer " + token);
            if (contentType != null) {
                headers.put("Content-Type", contentType);
            }
            RawHttp.Response raw = RawHttp.exchange(server.server().port(), RawHttp.request(method, path, headers, body));
            if (raw.status() == 400 && raw.json().path("errors").path(0).path("code").asString("").equals("400")) {
                refusedAsHttp++; // not valid HTTP: refused before any route, in the envelope (checked as any answer below)
            }
            answer = new Api.Response(raw.status(), raw.json(), raw.text(), Map.of());
        } else {
            HttpRequest.Builder b = api.request(path, token).method(method,
                    body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            if (contentType != null && !contentType.isEmpty()) {
                b.header("Content-Type", contentType);
            }
            answer = api.send(b);
        }
        String sent = path + "\n" + (body == null ? "" : new String(body, StandardCharsets.UTF_8));
        String problem = problem(r, answer, sent);
        if (problem != null) {
            String key = r + " | " + input + " | " + problem.replaceAll("'[^']*'", "'…'");
            failures.putIfAbsent(key, "- " + r + " [" + input + (value.isEmpty() ? "" : ", V=" + abbreviated(value, 60)) + "] "
                    + method + " " + abbreviated(path, 120) + (body == null ? "" : " body " + abbreviated(new String(body,
                    StandardCharsets.UTF_8), 120)) + " (" + contentType + ")\n    -> " + problem + ": " + answer.status() + " "
                    + abbreviated(answer.text(), 300));
        }
    }

    /** Whether java.net.http sends this target (it refuses a malformed percent escape). */
    private static boolean uriAccepted(String path) {
        try {
            java.net.URI.create("http://localhost" + path);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** What is wrong with an answer, or null. */
    private String problem(Route r, Api.Response a, String sent) {
        if (a.status() >= 500) {
            return "HTTP " + a.status();
        }
        String text = a.text();
        if (text.contains(token) || text.contains(service.clientSecret())) {
            return "echoes a secret";
        }
        Matcher leak = Envelope.LEAK.matcher(text);
        String quotable = sent + "\n" + sent.replaceAll("[\\x00-\\x1f\\x7f]", "");
        while (leak.find()) {
            if (!quotable.contains(leak.group())) {
                return "leaks internals (" + leak.group() + ")";
            }
        }
        JsonNode j = a.json();
        boolean fileRoute = r.template().endsWith("/file.json");
        if (r.userManagement()) {
            if (a.status() < 300) {
                return j.isMissingNode() && !text.isEmpty() ? "not JSON" : null;
            }
            if (!USER_MANAGEMENT_STATUSES.contains(a.status())) {
                return "User Management status " + a.status();
            }
            JsonNode e = j.path("errors").path(0);
            if (!e.path("code").isInt() || !e.path("message").isString()) {
                return "User Management error without {code, message}";
            }
            String code = Integer.toString(e.path("code").asInt());
            if (!RESPONSE_CODES.contains(code) && !USER_MANAGEMENT_STATUSES.contains(e.path("code").asInt())) {
                return "undocumented code " + code;
            }
            return messageProblem(e.path("message").asString());
        }
        if (fileRoute && (a.status() == 200 || a.status() == 206) && j.isMissingNode()) {
            return null; // the file itself
        }
        if (!j.path("requestId").isString() || !j.path("success").isBoolean()) {
            return "not an envelope";
        }
        if (j.path("success").asBoolean()) {
            if (a.status() != 200) {
                return "success with HTTP " + a.status();
            }
            for (JsonNode record : j.path("result")) {
                for (JsonNode reason : record.path("reasons")) {
                    String code = reason.path("code").asString("");
                    if (!RECORD_CODE.matcher(code).matches()) {
                        return "record-level code " + code;
                    }
                    String p = messageProblem(reason.path("message").asString(""));
                    if (p != null) {
                        return "record-level " + p;
                    }
                }
            }
            return null;
        }
        JsonNode e = j.path("errors").path(0);
        if (!e.path("code").isString() || !e.path("message").isString()) {
            return "error without {code, message}";
        }
        String code = e.path("code").asString();
        if (code.equals("611")) {
            return "611";
        }
        if (!RESPONSE_CODES.contains(code)) {
            return "undocumented code " + code;
        }
        int status = code.equals("400") || code.equals("413") || code.equals("414") ? Integer.parseInt(code) : 200;
        if (a.status() != status) {
            return "code " + code + " with HTTP " + a.status();
        }
        return messageProblem(e.path("message").asString());
    }

    /** A message quotes input cut to 100 characters, without control characters. */
    private static String messageProblem(String message) {
        if (message.codePoints().anyMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))) {
            return "message holds control characters";
        }
        if (message.contains("L".repeat(101)) || message.contains("x".repeat(101)) || message.length() > 400) {
            return "message quotes more than 100 characters";
        }
        return null;
    }

    private static Set<String> codes() {
        Set<String> out = new TreeSet<>();
        for (ErrorCode c : ErrorCode.values()) {
            if (c != ErrorCode.SYSTEM_ERROR) {
                out.add(c.code());
            }
        }
        return out;
    }

    private static String abbreviated(String s, int max) {
        String clean = s.replaceAll("[\\x00-\\x1f]", "·");
        return clean.length() > max ? clean.substring(0, max) + "…" : clean;
    }
}
