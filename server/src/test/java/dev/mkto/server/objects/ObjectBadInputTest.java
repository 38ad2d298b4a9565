package dev.mkto.server.objects;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.OnEveryBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * Bad input on every object and custom object type endpoint, on H2 and PostgreSQL (which cannot
 * store NUL): malformed and mis-shaped bodies, odd parameters, odd path variables. Every answer
 * is a Marketo code in a well-formed envelope, never an HTTP 5xx or 611.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class ObjectBadInputTest extends OnEveryBackend {

    private static final List<String> BODIES = List.of("{", "[", "nul", "[1]", "\"x\"", "42", "null", "true", "{}",
            "{\"input\":\"x\"}", "{\"input\":{}}", "{\"input\":null}", "{\"input\":[]}", "{\"input\":[1,\"a\",null,[],{}]}",
            "{\"input\":[{\"\\u0000\":1}]}", "{\"input\":[{\"name\":\"\\u0000\",\"vin\":\"\\u0000\",\"marketoGUID\":\"\\u0000\"}]}",
            "{\"input\":[{\"externalCompanyId\":\"\\u202e\\ud83d\\ude00\",\"id\":99999999999999999999}]}",
            "{\"input\":[{\"marketoGUID\":1e400,\"externalOpportunityId\":[1],\"leadId\":\"x\",\"role\":{}}]}",
            "{\"action\":\"\\u0000\",\"dedupeBy\":\"\\u0000\",\"deleteBy\":[],\"input\":[{\"name\":\"x\"}]}",
            "{\"filterType\":\"\\u0000\",\"fields\":[1],\"batchSize\":\"x\",\"input\":[{\"a\":1}]}",
            "{\"apiName\":\"\\u0000\",\"displayName\":\"\\u0000\",\"description\":\"\\u0000\"}",
            "{\"apiName\":\"" + "x".repeat(5000) + "\",\"displayName\":\"x\"}",
            "{\"displayName\":\"\\u0000\",\"dataType\":\"\\u0000\",\"relatedTo\":{\"name\":\"\\u0000\",\"field\":\"\\u0000\"}}",
            "{\"input\":[{\"name\":\"\\u0000\",\"displayName\":\"x\",\"dataType\":\"link\",\"relatedTo\":\"lead\"}]}",
            "{\"input\":[{\"name\":\"" + "y".repeat(5000) + "\",\"description\":\"" + "z".repeat(5000) + "\"}]}");
    private static final List<String> PATH_VALUES = List.of("%00", "%E2%80%AE%F0%9F%98%80", "x".repeat(3000), "-1", "99999999999999999999",
            "schema", "car", "%20");
    private static final List<String> QUERY_VALUES = List.of("%00%01", "%E2%80%AE", "x".repeat(3000), "-1", "99999999999999999999", ",,,",
            "null", "%5B%5D");

    private static final List<String> OBJECT_PATHS = List.of("/rest/v1/companies", "/rest/v1/opportunities", "/rest/v1/namedaccounts",
            "/rest/v1/namedAccountList", "/rest/v1/salespersons", "/rest/v1/customobjects");

    private String token;
    private List<String[]> endpoints;

    @Override
    protected void fixtures() {
        token = admin.tokenWith("Access API");
        admin.patch("/instance", Map.of("limits", Map.of("rateCalls", 1_000_000)));
        api.post("/rest/v1/customobjects/schema.json", token, Map.of("apiName", "car", "displayName", "Car"));
        api.post("/rest/v1/customobjects/schema/car/addField.json", token, Map.of("input", List.of(
                Map.of("name", "vin", "displayName", "VIN", "dataType", "string", "isDedupeField", true))));
        api.post("/rest/v1/customobjects/schema/car/approve.json", token, Map.of());
        endpoints = new ArrayList<>();
        for (String e : server.server().endpoints()) {
            String[] parts = e.split(" ", 2);
            if (OBJECT_PATHS.stream().anyMatch(parts[1]::startsWith)) {
                endpoints.add(parts);
            }
        }
    }

    @Test
    void objectEndpointsWhenListedThenAllOfThemAreCovered() {
        assertThat(endpoints).hasSize(49);
    }

    @Test
    void anyObjectEndpointWhenBodyIsMalformedOrMisShapedThenNoServerError() {
        for (String[] e : endpoints) {
            String path = concrete(e[1], "car");
            for (String body : BODIES) {
                sane(e, api.method(e[0].equals("GET") ? "POST" : e[0], path + (e[0].equals("GET") ? "?_method=GET" : ""), token,
                        "application/json", body));
            }
            sane(e, api.method(e[0], path, token, "text/plain", "{}"));
        }
    }

    @Test
    void anyObjectEndpointWhenPathVariablesAreOddThenNoServerError() {
        for (String[] e : endpoints) {
            if (!e[1].contains("{")) {
                continue;
            }
            for (String v : PATH_VALUES) {
                Api.Response r = e[0].equals("GET") ? api.get(concrete(e[1], v) + "?filterType=marketoGUID&filterValues=x", token)
                        : api.post(concrete(e[1], v), token, "{\"input\":[{\"marketoGUID\":\"x\",\"name\":\"x\"}]}");
                sane(e, r);
            }
        }
    }

    @Test
    void anyObjectEndpointWhenParametersAreOddThenNoServerError() {
        for (String[] e : endpoints) {
            String path = concrete(e[1], "car");
            for (String v : QUERY_VALUES) {
                String query = "?filterType=" + v + "&filterValues=" + v + "&fields=" + v + "&batchSize=" + v + "&nextPageToken=" + v
                        + "&names=" + v + "&state=" + v;
                sane(e, e[0].equals("GET") ? api.get(path + query, token) : api.post(path + query, token, "{}"));
            }
            for (String filterType : List.of("idField", "dedupeFields", "marketoGUID", "id", "name", "leadId", "vin")) {
                for (String v : QUERY_VALUES) {
                    if (e[0].equals("GET")) {
                        sane(e, api.get(path + "?filterType=" + filterType + "&filterValues=" + v, token));
                    }
                }
            }
        }
    }

    @Test
    void syncWhenValuesAreOddThenRecordLevelCodesOnly() {
        for (String base : List.of("/rest/v1/companies", "/rest/v1/opportunities", "/rest/v1/opportunities/roles", "/rest/v1/namedaccounts",
                "/rest/v1/namedAccountLists", "/rest/v1/salespersons", "/rest/v1/customobjects/car")) {
            Api.Response r = api.post(base + ".json", token, Map.of("input", List.of(
                    Map.of("externalCompanyId", "a\u0000", "name", "b\u0000", "vin", "c\u0000", "externalSalesPersonId", "\u0000"),
                    Map.of("externalCompanyId", "x".repeat(100_000), "name", "y".repeat(100_000), "vin", "z".repeat(100_000)),
                    Map.of("externalOpportunityId", "\u202e", "leadId", Long.MAX_VALUE, "role", "r", "externalSalesPersonId", 5))));
            sane(new String[] {"POST", base}, r);
            assertThat(r.success()).as(r.text()).isTrue();
            for (JsonNode item : r.result()) {
                assertThat(item.path("status").asString()).as(r.text()).isEqualTo("skipped");
            }
        }
    }

    private static String concrete(String template, String value) {
        return template.replaceAll("\\{[^}]*}", value);
    }

    private static void sane(String[] e, Api.Response r) {
        String what = e[0] + " " + e[1] + " -> " + r.status() + " " + (r.text().length() > 300 ? r.text().substring(0, 300) : r.text());
        assertThat(r.status()).as(what).isIn(200, 414);
        assertThat(r.errorCode()).as(what).isNotEqualTo("611");
        if (r.status() == 200) {
            assertThat(r.json().path("requestId").asString()).as(what).matches("[0-9a-f]+#[0-9a-f]+");
            assertThat(r.json().path("success").isBoolean()).as(what).isTrue();
            assertThat(r.text()).as(what).doesNotContain("Exception", "java.", "org.");
        }
    }
}
